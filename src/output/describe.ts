import type { ChalkInstance } from 'chalk';
import type { RolloutEvent, RunStatus } from '../engine/events.js';
import { formatDuration } from '../plan/duration.js';
import { oneLine } from './ci-decorator.js';
import { budgetText, failedTargetsText, nameList } from './fleet-progress.js';

/**
 * Renders a transition event as one human line (without timestamp), or null when it has none.
 * An event about one target of a fleet stage names it after its stage (`everyone eu-2 ✗ failed`);
 * which of those lines a log prints is the reporter's choice (plain-reporter.ts: failures one by
 * one, successes counted per batch). `fleet`: the event's stage has targets (its soak without a
 * target is the bake's fleet checks).
 */
export function describeEvent(event: RolloutEvent, c: ChalkInstance, fleet = false): string | null {
  const stage = (name: string, target?: string) => (target === undefined ? c.bold.cyan(name) : `${c.bold.cyan(name)} ${c.bold(target)}`);
  switch (event.type) {
    case 'run.started': {
      const targets = Object.values(event.targets ?? {}).reduce((sum, batches) => sum + batches.flat().length, 0);
      const fleetPart = targets > 0 ? `, ${targets} target${targets === 1 ? '' : 's'}` : '';
      return `${c.bold('rollout')} ${c.bold(event.plan.name)}: ${event.stages.length} stage${event.stages.length === 1 ? '' : 's'} (${event.stages.join(' → ')})${fleetPart}, run ${event.runId}`;
    }
    case 'run.resumed':
      return event.mode === 'forward'
        ? `${c.bold('resuming')} run ${event.runId}${event.stage ? ` at ${stage(event.stage)}` : ''}`
        : `${c.bold('resuming')} run ${event.runId}: finishing its rollback`;
    case 'stage.started':
      return null;
    case 'deploy.started':
      return `${stage(event.stage, event.target)} deploying: ${c.dim(oneLine(event.command, 10_000))}`;
    case 'deploy.finished':
      return event.exitCode === 0 && !event.timedOut
        ? `${stage(event.stage, event.target)} deployed in ${formatDuration(event.durationMs)}`
        : `${stage(event.stage, event.target)} ${c.red('deploy failed')} after ${formatDuration(event.durationMs)} (${outcomeText(event)})`;
    case 'soak.started': {
      const checks = `${event.checks.length} check${event.checks.length === 1 ? '' : 's'}: ${event.checks.map((ch) => ch.name).join(', ')}`;
      // A fleet stage's bake was announced by batch.baking: only its fleet checks are news.
      if (fleet && event.target === undefined)
        return event.checks.length === 0 ? null : `${stage(event.stage)} measuring during the bake: ${event.checks.map((ch) => ch.name).join(', ')}`;
      if (event.checks.length === 0)
        return event.soakMs > 0 ? `${stage(event.stage, event.target)} soaking ${formatDuration(event.soakMs)} (no health checks)` : null;
      return `${stage(event.stage, event.target)} soaking ${formatDuration(event.soakMs)} on ${checks}`;
    }
    case 'check.polled':
      return null;
    case 'check.finished':
      if (event.dryRun && event.verdict !== 'pass')
        return `${stage(event.stage, event.target)} ${c.dim(`dryRun check ${event.check} ended ${event.verdict} (not deciding): ${event.reason ?? ''}`)}`;
      return null;
    case 'stage.passed':
      return `${stage(event.stage)} ${c.green('✓ passed')} in ${formatDuration(event.durationMs)}${
        event.inconclusive?.length ? c.yellow(` (inconclusive, let through by onInconclusive: pass: ${event.inconclusive.join(', ')})`) : ''
      }`;
    case 'stage.failed':
      // A long list of failed targets is cut (`rollout status` lists them all).
      return `${stage(event.stage)} ${c.red('✗ failed')}: ${event.reason}${failedTargetsText(event)}`;
    case 'stage.skipped':
      return `${stage(event.stage)} ${c.dim('skipped (not deployed)')}`;
    case 'stage.blocked':
      return `${stage(event.stage)} ${c.yellow('⏸ not started')}: ${event.message}`;
    case 'stage.pausing':
      return `${stage(event.stage)} pausing ${formatDuration(event.pauseMs)} before the next stage`;
    case 'gate.opened':
      if (event.gate.kind === 'window')
        return `${stage(event.stage)} ${c.yellow.bold('⏸ not started, paused at a gate')}: ${event.gate.reason} (gate ${event.gate.id}: rollout promote once the window is open)`;
      return `${stage(event.stage)} ${c.yellow.bold('✋ waiting for a decision')}: ${event.gate.reason}${event.gate.expiresAt ? ` (gate ${event.gate.id}, open until ${event.gate.expiresAt})` : ` (gate ${event.gate.id})`}`;
    case 'gate.decided':
      return `${stage(event.stage)} ${event.decision === 'promote' ? c.green('promoted') : event.decision === 'abort' ? c.yellow('aborted') : c.red('failed')} by ${event.by}${event.reason ? `: ${event.reason}` : ''}`;
    case 'window.waiting':
      return `${stage(event.stage)} waiting for its deploy window (${event.rule}) until ${event.until}`;
    case 'window.overridden':
      return `${stage(event.stage)} ${c.yellow('window overridden')} by ${event.by} (${event.rule}): ${event.reason}`;
    case 'rollback.started':
      return event.scope === 'plan'
        ? `${c.yellow('rolling back')} with the plan's rollback command (undoes ${event.stages.join(', ')})`
        : `${c.yellow('rolling back')} ${event.stages.join(' → ')}`;
    case 'rollback.step.started':
      return `${event.stage === null ? c.bold('plan') : stage(event.stage, event.target)} rolling back: ${c.dim(oneLine(event.command, 10_000))}`;
    case 'rollback.step.finished': {
      const who = event.stage === null ? c.bold('plan') : stage(event.stage, event.target);
      return event.exitCode === 0 && !event.timedOut && event.error === undefined
        ? `${who} rolled back in ${formatDuration(event.durationMs)}`
        : `${who} ${c.red('✗ rollback failed')} (${outcomeText(event)})`;
    }
    case 'rollback.step.skipped':
      return `${stage(event.stage, event.target)} ${c.dim(`not rolled back: ${event.reason}`)}`;
    case 'rollback.finished':
      return event.ok ? c.yellow('rollback finished') : c.red(`rollback failed for ${event.failedStages.join(', ')}: a human must look`);
    case 'run.finished': {
      // Stopped by something other than a signal (a failed state write, a lost lock): said, not left to guess.
      const by = event.status === 'interrupted' && event.signal && !event.signal.startsWith('SIG') ? ` by ${event.signal}` : '';
      return `${statusWord(event.status, c, event.failure !== null)}${by} in ${formatDuration(event.durationMs)}${event.failure ? `: ${event.failure.stage}: ${event.failure.reason}` : ''}`;
    }
    case 'batch.started': {
      const count = `${event.targets.length} target${event.targets.length === 1 ? '' : 's'}`;
      return `${stage(event.stage)} batch ${event.batch}/${event.batches} starting: ${count} (${nameList(event.targets)})`;
    }
    case 'target.started':
      return `${stage(event.stage, event.target)} starting (batch ${event.batch})`;
    case 'target.retrying':
      return `${stage(event.stage, event.target)} failed before: it will be deployed again (--retry-failed)`;
    case 'verify.finished': {
      if (event.ok) return `${stage(event.stage, event.target)} verified: ${JSON.stringify(event.output)}`;
      // A verify command that did not run to exit 0 says how it ended; one that printed the wrong thing says what.
      const ran = event.exitCode === 0 && !event.timedOut && event.error === undefined;
      const printed = `printed ${JSON.stringify(event.output)}${event.expected === null ? '' : `, expected ${JSON.stringify(event.expected)}`}`;
      return `${stage(event.stage, event.target)} ${c.red('verify failed')}: ${ran ? printed : `${outcomeText(event)}; ${printed}`}`;
    }
    case 'target.passed':
      return `${stage(event.stage, event.target)} ${c.green('✓ updated')} in ${formatDuration(event.durationMs)}`;
    case 'target.failed':
      return `${stage(event.stage, event.target)} ${c.red('✗ failed')}: ${event.reason}`;
    case 'batch.baking':
      return event.bakeMs > 0 ? `${stage(event.stage)} batch ${event.batch} baking ${formatDuration(event.bakeMs)}` : null;
    case 'batch.finished': {
      const failed = event.failed > 0 ? c.red(`${event.failed} failed`) : '0 failed';
      return `${stage(event.stage)} batch ${event.batch}/${event.batches} done: ${event.updated} updated, ${failed}${budgetText(event.budgetLeft, event.tolerated)}`;
    }
    case 'command.output':
    // Reporters render a warning apart: no timestamp, on its own line (PlainReporter.warn).
    case 'warning':
      return null;
  }
}

/** Every run status in words; the compiler refuses a status left out (test/unit/status-rendering.test.ts shows each). */
const STATUS_WORDS = {
  running: (c) => c.cyan.bold('⏳ running'),
  succeeded: (c) => c.green.bold('✓ succeeded'),
  rolled_back: (c, failed) => (failed ? c.yellow.bold('✗ failed, rolled back') : c.yellow.bold('↩ rolled back')),
  failed: (c) => c.red.bold('✗ failed'),
  rollback_failed: (c) => c.red.bold('✗ rollback failed'),
  interrupted: (c) => c.yellow.bold('⚠ interrupted'),
  blocked: (c) => c.yellow.bold('⏸ blocked by a deploy window'),
  paused: (c) => c.yellow.bold('✋ paused at a gate'),
} satisfies Record<RunStatus, (c: ChalkInstance, failed: boolean) => string>;

/** `failed` says whether a stage failed; a rollback asked for by `rollout rollback` is no failure. */
export function statusWord(status: RunStatus, c: ChalkInstance, failed = true): string {
  return STATUS_WORDS[status](c, failed);
}

function outcomeText(o: { exitCode: number | null; signal: string | null; timedOut: boolean; error?: string }): string {
  if (o.error !== undefined) return `could not start: ${o.error.split('\n')[0]}`;
  if (o.timedOut) return 'timed out; process group killed';
  if (o.signal) return `killed by ${o.signal}`;
  return `exit ${o.exitCode}`;
}
