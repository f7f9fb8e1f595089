import type { Context } from '../context.js';
import { drive } from '../engine/drive.js';
import { exitCodeFor } from '../exit-status.js';
import type { OutputMode } from '../output/create-reporter.js';
import { renderSummary } from '../output/summary.js';
import { describeUnfinished, leftLiveAdvice, sameRunFlags } from '../output/unfinished.js';
import { loadPlan } from '../plan/load.js';
import { parseVarFlags } from '../plan/vars.js';
import { newRunId } from '../run-id.js';
import type { StateDocument } from '../state/document.js';
import { askAtGates, pausedExitCode } from './drive-run.js';
import { openPlanState } from './locate-state.js';
import { reportAfterRun } from './report.js';
import { openRunNotifier } from './run-notifier.js';
import { openSession } from './session.js';
import { type WindowOverrideOptions, windowOverride } from './window-override.js';

export interface RunOptions extends OutputMode, WindowOverrideOptions {
  config?: string;
  state?: string;
  key?: string;
  var?: string[];
  waitLock?: string;
  dryRun?: boolean;
  pausedExitCode?: string;
  report?: string;
}

/** `rollout run`: validate everything first, then lock, then deploy stage by stage. */
export async function run(options: RunOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, vars: parseVarFlags(options.var ?? []), env: ctx.env });
  const runId = newRunId(ctx.clock.now());
  const overrideWindow = windowOverride(options, ctx);
  if (options.dryRun) return (await import('./dry-run.js')).dryRun(plan, runId, options, ctx);
  const backend = await openPlanState(options, plan, ctx);
  try {
    await backend.read(); // a damaged or unreachable state is bad input: refuse before touching anything
  } catch (error) {
    await backend.close();
    throw error;
  }

  const session = await openSession(ctx, { backend, runId, command: 'rollout run', waitLock: options.waitLock, output: options, plan });
  const notifier = openRunNotifier(plan, ctx, (message) => session.warn(message));
  let exitCode: number;
  let summary: string | null = null;
  let finalDoc: StateDocument | null = null;
  try {
    // Under the lock: a run that never finished is kept, not overwritten, and we say where.
    const previous = await backend.read();
    if (previous && (previous.status === 'running' || previous.status === 'interrupted')) {
      await session.stopLeftovers(previous);
      const archive = await backend.archiveUnfinished(previous);
      session.warn(`${describeUnfinished(previous)} Its record is kept in ${archive.kept}; undo it with: ${archive.undo}`);
    }
    const store = session.store(null, previous);
    const deps = session.deps(runId, store, [(event) => notifier.listen(event)]);
    const ended = await drive(plan, null, { kind: 'forward' }, deps, { overrideWindow });
    // At a terminal, a gate is answered here and the run goes on under the same lock.
    const status = await askAtGates(ended, () => store.document, { plan, deps, ctx, flags: options, options: { overrideWindow } });
    await session.settle(store);
    exitCode = status === 'paused' ? pausedExitCode(options) : exitCodeFor(status, ctx.signal.reason);
    finalDoc = store.document;
    if (store.document && !options.json && !options.quiet) summary = renderSummary(store.document, ctx.term.color);
  } catch (error) {
    throw session.redact(error);
  } finally {
    await session.close();
    // Also after a failure or an interrupt; a shared store has no local event log to draw from.
    if (options.report !== undefined && session.eventLogAnchor) reportAfterRun(session.eventLogAnchor, runId, options.report, ctx);
  }
  // The rollout is decided and recorded; webhooks get a bounded wait, outside the lock (shorter when interrupted).
  await notifier.finish();
  if (summary !== null) ctx.term.out.write(`${summary}\n`);
  // After Ctrl-C, the last words say what is still live and how to go on.
  if (finalDoc?.status === 'interrupted') ctx.term.err.write(`${leftLiveAdvice(finalDoc, sameRunFlags(options))}\n`);
  return exitCode;
}
