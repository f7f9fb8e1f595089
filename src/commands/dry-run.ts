import type { Context } from '../context.js';
import { commandEnv } from '../engine/command.js';
import { escapeControlDeep } from '../output/escape-control.js';
import { formatDuration } from '../plan/duration.js';
import { displayPath } from '../plan/load.js';
import { redactValue } from '../plan/redact.js';
import type { Plan, Stage } from '../plan/types.js';
import { setUpSecrets } from '../secrets/setup.js';

export interface DryRunOptions {
  json?: boolean;
}

interface Step {
  stage: string | null;
  phase: 'deploy' | 'soak' | 'rollback';
  command?: string;
  timeoutMs?: number;
  soakMs?: number;
  checks?: { name: string; url: string; intervalMs: number; timeoutMs: number; failureThreshold: number }[];
  env?: Record<string, string>;
  /** A fleet stage: its batches of targets and how many deploy at once (`env` is the first target's). */
  targets?: { batches: string[][]; maxParallel: number; verify: string | null };
}

/**
 * `rollout run --dry-run`: walks the plan and says what would run, in order, with the ROLLOUT_*
 * environment each command would get (secret-looking vars redacted). Runs no command, polls
 * nothing, takes no lock and writes no state.
 */
export function dryRun(loaded: Plan, runId: string, options: DryRunOptions, ctx: Context): number {
  // Printed for a person: names and commands quoted with their control characters shown (escape-control.ts).
  const plan = options.json ? loaded : escapeControlDeep(loaded);
  // The plan's declared secrets are redacted like everywhere else, on top of secret-looking var names.
  const { redactor } = setUpSecrets(plan, ctx);
  const env = (stage: Stage, phase: 'deploy' | 'rollback') => {
    // A fleet stage's commands each get their target's environment: shown for its first target.
    const first = stage.fleet?.targets[0];
    const all = commandEnv(plan, { stage, phase, ...(first ? { target: { target: first, batch: 1 } } : {}) }, { env: {}, runId });
    return Object.fromEntries(Object.entries(all).map(([name, value]) => [name, redactor.text(redactValue(name, value))]));
  };
  const steps: Step[] = [];
  for (const stage of plan.stages) {
    const fleet = stage.fleet
      ? { targets: { batches: stage.fleet.batches, maxParallel: stage.fleet.maxParallel, verify: stage.fleet.verify?.command ?? null } }
      : {};
    steps.push({ stage: stage.name, phase: 'deploy', command: stage.deploy, timeoutMs: stage.timeoutMs, env: env(stage, 'deploy'), ...fleet });
    steps.push({
      stage: stage.name,
      phase: 'soak',
      soakMs: stage.soakMs,
      checks: stage.checks.map((c) => ({
        name: c.name,
        url: c.description,
        intervalMs: c.intervalMs,
        timeoutMs: c.timeoutMs,
        failureThreshold: c.failureThreshold,
      })),
    });
  }
  const onFailure = rollbackSteps(plan, env);

  if (options.json) {
    ctx.term.out.write(
      `${JSON.stringify({ dryRun: true, runId, plan: { name: plan.name, path: plan.path }, steps, onFailure: { mode: plan.onFailure, steps: onFailure } }, null, 2)}\n`,
    );
    return 0;
  }
  const c = ctx.term.color;
  const out: string[] = [
    `${c.bold('Dry run')} of ${c.bold(plan.name)} (${displayPath(ctx.cwd, plan.path)}): nothing runs, nothing is polled, no lock, no state.`,
    `Commands run with /bin/sh in ${plan.dir}, with the runner's environment plus:`,
  ];
  let n = 0;
  for (const step of steps) {
    if (step.phase === 'deploy') {
      out.push('', `${++n}. ${c.bold.cyan(step.stage ?? '')} deploy (timeout ${formatDuration(step.timeoutMs ?? 0)}): ${step.command}`);
      if (step.targets) {
        const { batches, maxParallel, verify } = step.targets;
        out.push(
          `   on each of ${batches.flat().length} targets, in ${batches.length} batch${batches.length === 1 ? '' : 'es'} (${maxParallel} at once); shown for ${batches[0]?.[0] ?? ''}:`,
        );
        if (verify !== null) out.push(`   then verify on each target: ${verify}`);
      }
      for (const [name, value] of Object.entries(step.env ?? {})) out.push(`     ${c.dim(`${name}=${value}`)}`);
    } else {
      const checks = step.checks ?? [];
      out.push(`   then soak ${formatDuration(step.soakMs ?? 0)}${checks.length === 0 ? ' (no health checks)' : ', polling:'}`);
      for (const check of checks)
        out.push(
          `     ${check.url} every ${formatDuration(check.intervalMs)} (timeout ${formatDuration(check.timeoutMs)}), fails after ${check.failureThreshold} in a row`,
        );
    }
  }
  out.push('', plan.onFailure === 'stop' ? 'On failure (onFailure: stop): nothing is rolled back.' : 'On failure, newest deployed stage first:');
  for (const step of onFailure) out.push(`   ${step.stage ?? 'plan'} rollback: ${step.command} (ROLLOUT_PHASE=rollback)`);
  for (const hook of plan.notify ?? []) out.push(`Notify ${hook.displayUrl} of ${hook.events.join(', ')}`);
  ctx.term.out.write(`${out.join('\n')}\n`);
  return 0;
}

function rollbackSteps(plan: Plan, env: (stage: Stage, phase: 'rollback') => Record<string, string>): Step[] {
  if (plan.onFailure === 'stop') return [];
  const newest = plan.stages.at(-1);
  if (plan.rollback !== null && newest)
    return [{ stage: null, phase: 'rollback', command: plan.rollback, timeoutMs: plan.rollbackTimeoutMs, env: env(newest, 'rollback') }];
  return [...plan.stages]
    .reverse()
    .filter((s) => s.rollback !== null)
    .map((s) => ({ stage: s.name, phase: 'rollback', command: s.rollback ?? '', timeoutMs: s.timeoutMs, env: env(s, 'rollback') }));
}
