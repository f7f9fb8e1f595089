import type { Context } from '../context.js';
import { drive } from '../engine/drive.js';
import { InputError } from '../errors.js';
import { rollbackExitCode } from '../exit-status.js';
import type { OutputMode } from '../output/create-reporter.js';
import { renderSummary } from '../output/summary.js';
import { loadPlan } from '../plan/load.js';
import type { Plan, Stage } from '../plan/types.js';
import { wasDeployed } from '../run/reduce.js';
import type { StateDocument } from '../state/document.js';
import { openPlanState } from './locate-state.js';
import { openRunNotifier } from './run-notifier.js';
import { openSession } from './session.js';

export interface RollbackOptions extends OutputMode {
  config?: string;
  state?: string;
  key?: string;
  waitLock?: string;
}

/**
 * `rollout rollback`: undo what the last run deployed and has not been undone yet, newest first,
 * using the plan's current rollback commands. Safe to repeat after fixing a failed rollback.
 */
export async function rollback(options: RollbackOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env });
  const backend = await openPlanState(options, plan, ctx);
  const statePath = backend.location;
  let before: StateDocument | null;
  try {
    before = await backend.read();
    if (!before) throw new InputError(`no rollout state at ${statePath}: there is nothing to roll back.`);
    planStages(
      plan,
      before.stages.filter(wasDeployed).map((s) => s.name),
      statePath,
    ); // refuse before locking
  } catch (error) {
    await backend.close();
    throw error;
  }

  const session = await openSession(ctx, { backend, runId: before.runId, command: 'rollout rollback', waitLock: options.waitLock, output: options, plan });
  // A manual rollback is an end of the run like any other: webhooks hear it.
  const notifier = openRunNotifier(plan, ctx, (message) => session.warn(message));
  let exitCode: number;
  try {
    // Re-read under the lock: the run we are undoing may have moved on since.
    const doc = (await backend.read()) ?? before;
    await session.stopLeftovers(doc);
    const deployed = planStages(
      plan,
      doc.stages.filter(wasDeployed).map((s) => s.name),
      statePath,
    );
    if (deployed.length === 0) {
      (options.json ? ctx.term.err : ctx.term.out).write(`Nothing to roll back: run ${doc.runId} has no deployed stage left (status ${doc.status}).\n`);
      exitCode = 0;
    } else {
      exitCode = await undo(doc);
    }
  } catch (error) {
    throw session.redact(error);
  } finally {
    await session.close();
  }
  await notifier.finish();
  return exitCode;

  async function undo(doc: StateDocument): Promise<number> {
    if (doc.plan.sha256 !== plan.sha256) session.warn(`the plan changed since run ${doc.runId}; using its current rollback commands`);
    session.reporter.continueRun?.(doc);
    const store = session.store(doc);
    // The summary reports this rollback's own duration, as its last line did, not the run's age.
    let tookMs: number | undefined;
    const deps = session.deps(doc.runId, store, [
      (event) => {
        if (event.type === 'run.finished') tookMs = event.durationMs;
        notifier.listen(event);
      },
    ]);
    const status = await drive(plan, doc, { kind: 'undo' }, deps);
    await session.settle(store);
    session.reporter.close();
    if (!options.json && !options.quiet) ctx.term.out.write(`${renderSummary(doc, ctx.term.color, tookMs)}\n`);
    return rollbackExitCode(status, ctx.signal.reason);
  }
}

/** The plan's stages for names a run deployed; a stage missing from the plan cannot be undone by it. */
export function planStages(plan: Plan, names: string[], statePath: string): Stage[] {
  return names.map((name) => {
    const stage = plan.stages.find((s) => s.name === name);
    if (!stage) {
      throw new InputError(`stage "${name}" was deployed by the run in ${statePath} but is not in the plan any more; restore it in the plan to roll it back.`);
    }
    return stage;
  });
}
