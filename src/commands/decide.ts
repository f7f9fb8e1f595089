import { actorFrom } from '../actor.js';
import type { Context } from '../context.js';
import { eventEmitter } from '../engine/deps.js';
import { rollBackRun } from '../engine/rollback.js';
import { runRollout } from '../engine/run-rollout.js';
import { InputError } from '../errors.js';
import { exitCodeFor } from '../exit-status.js';
import { createHttpClient } from '../http/client.js';
import { Notifier } from '../notify/notifier.js';
import type { OutputMode } from '../output/create-reporter.js';
import { renderSummary } from '../output/summary.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import type { StateDocument } from '../state/document.js';
import { wasDeployed } from '../state/reduce.js';
import { openPlanState } from './locate-state.js';
import { resumePoint } from './resume.js';
import { planStages } from './rollback.js';
import { NOTIFY_DRAIN_MS } from './run.js';
import { openSession } from './session.js';
import { checkWindowGate } from './window-gate-check.js';
import { type WindowOverrideOptions, windowOverride } from './window-override.js';

export interface DecideOptions extends OutputMode, WindowOverrideOptions {
  config?: string;
  state?: string;
  key?: string;
  gate?: string;
  reason?: string;
  waitLock?: string;
  pausedExitCode?: string;
}

type Decision = 'promote' | 'abort';

/**
 * `rollout promote` continues a run paused at a gate from the next stage; `rollout abort` rolls back
 * what it deployed, newest first. Either is refused unless the run waits at a gate (the id, when
 * given, must match), the plan is the one the gate was opened with, and — for promote — the gate has
 * not expired. The decision, who made it and why are recorded before anything runs, so a gate is
 * decided once: a second promote finds no open gate.
 */
export async function decide(decision: Decision, options: DecideOptions, ctx: Context): Promise<number> {
  const located = await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env });
  const backend = await openPlanState(options, located, ctx);
  // Window gates (onBlocked: pause): promote needs the window open now, or this override.
  const overrideWindow = decision === 'promote' ? windowOverride(options, ctx) : null;
  let plan: Plan;
  let before: StateDocument | null;
  try {
    before = await backend.read();
    if (!before) throw new InputError(`no rollout state at ${backend.location}: there is no run to ${decision}.`);
    plan = await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env, vars: before.plan.vars ?? {} });
    const waiting = checkGate(decision, before, plan, options, ctx);
    if (decision === 'promote') checkWindowGate(waiting, plan, ctx.clock.now(), overrideWindow);
  } catch (error) {
    await backend.close();
    throw error;
  }
  const session = await openSession(ctx, { backend, runId: before.runId, command: `rollout ${decision}`, waitLock: options.waitLock, output: options, plan });
  // Webhooks hear who decided, and what followed, as they heard the gate open.
  const webhookHttp = plan.notify?.length ? createHttpClient(ctx.env) : null;
  const notifier = webhookHttp
    ? new Notifier({ plan: plan.name, hooks: plan.notify ?? [], warn: (message) => session.warn(message), http: webhookHttp })
    : null;
  let exitCode: number;
  try {
    const doc = (await backend.read()) ?? before; // under the lock: someone may have decided meanwhile
    const gate = checkGate(decision, doc, plan, options, ctx);
    if (decision === 'promote') checkWindowGate(gate, plan, ctx.clock.now(), overrideWindow);
    session.reporter.continueRun?.(doc);
    const store = session.store(doc);
    let tookMs: number | undefined;
    const deps = session.deps(doc.runId, store, [
      (event) => {
        if (event.type === 'run.finished') tookMs = event.durationMs;
        notifier?.handle(event);
      },
    ]);
    const by = actorFrom(ctx.env);
    await eventEmitter(deps)({
      type: 'gate.decided',
      stage: gate.stage,
      index: gate.index,
      gateId: gate.id,
      decision,
      by,
      reason: options.reason?.trim() || null,
    });
    let status: Awaited<ReturnType<typeof runRollout>>['status'];
    if (decision === 'promote') {
      status = (await runRollout(plan, deps, resumePoint(doc, plan), { overrideWindow })).status;
    } else {
      const deployed = planStages(
        plan,
        doc.stages.filter(wasDeployed).map((s) => s.name),
        backend.location,
      );
      const why = `aborted at gate ${gate.id} by ${by}${options.reason?.trim() ? `: ${options.reason.trim()}` : ''}`;
      status = await rollBackRun(plan, deployed, { stage: gate.stage, reason: why }, deps);
    }
    await session.settle(store);
    session.reporter.close();
    if (!options.json && !options.quiet) ctx.term.out.write(`${renderSummary(doc, ctx.term.color, tookMs)}\n`);
    exitCode = status === 'paused' ? pausedExitCode(options) : exitCodeFor(status, ctx.signal.reason);
  } catch (error) {
    throw session.redact(error);
  } finally {
    await session.close();
  }
  await notifier?.drain(ctx.signal.aborted ? 2_000 : NOTIFY_DRAIN_MS);
  await webhookHttp?.close();
  return exitCode;
}

function checkGate(decision: Decision, doc: StateDocument, plan: Plan, options: DecideOptions, ctx: Context) {
  const gate = doc.gate;
  if (doc.status !== 'paused' || !gate || gate.decision !== null) {
    const spent = gate?.decision
      ? ` Its last gate (${gate.id}) was already decided: ${gate.decision.decision} by ${gate.decision.by} at ${gate.decision.at}.`
      : '';
    throw new InputError(`run ${doc.runId} is ${doc.status.replace('_', ' ')}, not waiting at a gate; there is nothing to ${decision}.${spent}`);
  }
  if (options.gate !== undefined && options.gate !== gate.id)
    throw new InputError(`run ${doc.runId} waits at gate ${gate.id}, not ${options.gate}: check which gate you mean (rollout status).`);
  if (gate.planSha256 !== plan.sha256)
    throw new InputError(
      `the plan ${plan.path} changed since gate ${gate.id} opened (sha256 ${gate.planSha256.slice(0, 12)}… → ${plan.sha256.slice(0, 12)}…): decide with the plan the canary was judged under.`,
    );
  if (decision === 'promote' && gate.expiresAt !== null && ctx.clock.now() >= Date.parse(gate.expiresAt)) {
    const next = gate.onTimeout === 'abort' ? 'roll it back with `rollout abort`' : 'start a new run with `rollout run`, or undo it with `rollout abort`';
    throw new InputError(`gate ${gate.id} expired at ${gate.expiresAt} (onTimeout: ${gate.onTimeout}); it can no longer be promoted: ${next}.`);
  }
  return gate;
}

/** `--paused-exit-code N` for pipelines that count a pause as success. */
export function pausedExitCode(options: { pausedExitCode?: string }): number {
  if (options.pausedExitCode === undefined) return 7;
  const code = Number(options.pausedExitCode);
  if (!Number.isInteger(code) || code < 0 || code > 255) throw new InputError(`--paused-exit-code ${options.pausedExitCode}: expected a number from 0 to 255`);
  return code;
}
