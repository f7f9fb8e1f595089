import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { runRollout } from '../engine/run-rollout.js';
import { exitCodeFor } from '../exit-status.js';
import { Notifier } from '../notify/notifier.js';
import type { OutputMode } from '../output/create-reporter.js';
import { renderSummary } from '../output/summary.js';
import { describeUnfinished } from '../output/unfinished.js';
import { loadPlan } from '../plan/load.js';
import { parseVarFlags } from '../plan/vars.js';
import { newRunId } from '../run-id.js';
import { archiveUnfinished, readState, StateStore } from '../state/store.js';
import { reportAfterRun } from './report.js';
import { openSession } from './session.js';
import { type WindowOverrideOptions, windowOverride } from './window-override.js';

export interface RunOptions extends OutputMode, WindowOverrideOptions {
  config?: string;
  state?: string;
  var?: string[];
  waitLock?: string;
  dryRun?: boolean;
  report?: string;
}

/** How long a finished run waits for webhook deliveries still in flight. */
export const NOTIFY_DRAIN_MS = 10_000;

/** `rollout run`: validate everything first, then lock, then deploy stage by stage. */
export async function run(options: RunOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, vars: parseVarFlags(options.var ?? []), env: ctx.env });
  const statePath = options.state !== undefined ? resolve(ctx.cwd, options.state) : plan.statePath;
  const runId = newRunId(ctx.clock.now());
  const overrideWindow = windowOverride(options, ctx);
  if (options.dryRun) return (await import('./dry-run.js')).dryRun(plan, runId, options, ctx);
  readState(statePath); // a damaged state file is bad input: refuse before touching anything

  const session = await openSession(ctx, { statePath, runId, command: 'rollout run', waitLock: options.waitLock, output: options, plan });
  const store = new StateStore(statePath);
  const notifier = plan.notify?.length ? new Notifier({ plan: plan.name, hooks: plan.notify, warn: (message) => session.warn(message) }) : null;
  let exitCode: number;
  try {
    // Under the lock: a run that never finished is kept, not overwritten, and we say where.
    const previous = readState(statePath);
    if (previous && (previous.status === 'running' || previous.status === 'interrupted')) {
      const archive = archiveUnfinished(statePath, previous);
      session.warn(`${describeUnfinished(previous)} Its record is kept in ${archive}; undo it with: rollout rollback --state ${archive}`);
    }
    const outcome = await runRollout(plan, session.deps(runId, store, notifier ? [(event) => notifier.handle(event)] : []), undefined, {
      overrideWindow,
    });
    exitCode = exitCodeFor(outcome.status, ctx.signal.reason);
  } catch (error) {
    throw session.redact(error);
  } finally {
    store.close();
    session.close();
    if (options.report !== undefined) reportAfterRun(statePath, runId, options.report, ctx); // also after a failure or interrupt
  }
  // The rollout is decided and recorded; webhooks get a bounded wait, outside the lock (shorter when interrupted).
  await notifier?.drain(ctx.signal.aborted ? 2_000 : NOTIFY_DRAIN_MS);
  if (store.document && !options.json && !options.quiet) ctx.term.out.write(`${renderSummary(store.document, ctx.term.color)}\n`);
  return exitCode;
}
