import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { rollBackRun } from '../engine/rollback.js';
import { InputError } from '../errors.js';
import { rollbackExitCode } from '../exit-status.js';
import type { OutputMode } from '../output/create-reporter.js';
import { renderSummary } from '../output/summary.js';
import { loadPlan } from '../plan/load.js';
import type { Plan, Stage } from '../plan/types.js';
import { wasDeployed } from '../state/reduce.js';
import { readState, StateStore } from '../state/store.js';
import { openSession } from './session.js';

export interface RollbackOptions extends OutputMode {
  config?: string;
  state?: string;
  waitLock?: string;
}

/**
 * `rollout rollback`: undo what the last run deployed and has not been undone yet, newest first,
 * using the plan's current rollback commands. Safe to repeat after fixing a failed rollback.
 */
export async function rollback(options: RollbackOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env });
  const statePath = options.state !== undefined ? resolve(ctx.cwd, options.state) : plan.statePath;
  const before = readState(statePath);
  if (!before) throw new InputError(`no rollout state at ${statePath}: there is nothing to roll back.`);
  planStages(
    plan,
    before.stages.filter(wasDeployed).map((s) => s.name),
    statePath,
  ); // refuse before locking

  const session = await openSession(ctx, { statePath, runId: before.runId, command: 'rollout rollback', waitLock: options.waitLock, output: options, plan });
  try {
    // Re-read under the lock: the run we are undoing may have moved on since.
    const doc = readState(statePath) ?? before;
    const deployed = planStages(
      plan,
      doc.stages.filter(wasDeployed).map((s) => s.name),
      statePath,
    );
    if (deployed.length === 0) {
      (options.json ? ctx.term.err : ctx.term.out).write(`Nothing to roll back: run ${doc.runId} has no deployed stage left (status ${doc.status}).\n`);
      return 0;
    }
    if (doc.plan.sha256 !== plan.sha256) session.warn(`the plan changed since run ${doc.runId}; using its current rollback commands`);
    session.reporter.continueRun?.(doc);
    const store = new StateStore(statePath, doc);
    let status: Awaited<ReturnType<typeof rollBackRun>>;
    // The summary reports this rollback's own duration, as its last line did, not the run's age.
    let tookMs: number | undefined;
    try {
      const deps = session.deps(doc.runId, store, [
        (event) => {
          if (event.type === 'run.finished') tookMs = event.durationMs;
        },
      ]);
      status = await rollBackRun(plan, deployed, doc.failure, deps);
    } finally {
      store.close();
    }
    session.reporter.close();
    if (!options.json && !options.quiet) ctx.term.out.write(`${renderSummary(doc, ctx.term.color, tookMs)}\n`);
    return rollbackExitCode(status, ctx.signal.reason);
  } catch (error) {
    throw session.redact(error);
  } finally {
    session.close();
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
