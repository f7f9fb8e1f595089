import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { rollbackExitCode } from '../exit-status.js';
import type { OutputMode } from '../output/create-reporter.js';
import type { Plan, Stage } from '../plan/types.js';
import { wasDeployed } from '../run/reduce.js';
import type { StateDocument } from '../state/document.js';
import { driveRun } from './drive-run.js';
import { openRunToContinue } from './open-run.js';

export interface RollbackOptions extends OutputMode {
  config?: string;
  state?: string;
  key?: string;
  waitLock?: string;
}

/**
 * `rollout rollback`: undo what the last run deployed and has not been undone yet, newest first,
 * using the plan's current rollback commands. Safe to repeat after fixing a failed rollback. Opened
 * and finished like every other command (open-run.ts, drive-run.ts): the loop with the intent `undo`.
 */
export async function rollback(options: RollbackOptions, ctx: Context): Promise<number> {
  // Refused before locking, and again under the lock: the run we are undoing may have moved on since.
  const check = (doc: StateDocument, plan: Plan, location: string) => {
    deployedStages(plan, doc, location);
    return undefined;
  };
  const opened = await openRunToContinue('rollout rollback', options, ctx, check, 'plan');
  if (typeof opened === 'number') return opened;
  const { doc, plan, session } = opened;
  if (deployedStages(plan, doc, session.backend.location).length === 0) {
    (options.json ? ctx.term.err : ctx.term.out).write(`Nothing to roll back: run ${doc.runId} has no deployed stage left (status ${doc.status}).\n`);
    await session.close();
    return 0;
  }
  if (doc.plan.sha256 !== plan.sha256) session.warn(`the plan changed since run ${doc.runId}; using its current rollback commands`);
  return driveRun(
    opened,
    ctx,
    options,
    { kind: 'undo' },
    {},
    // The summary reports this rollback's own duration, as its last line did, not the run's age.
    { exitCode: (status) => rollbackExitCode(status, ctx.signal.reason), ownDuration: true, askAtGates: false, lastWords: false },
  );
}

function deployedStages(plan: Plan, doc: StateDocument, location: string): Stage[] {
  return planStages(
    plan,
    doc.stages.filter(wasDeployed).map((s) => s.name),
    location,
  );
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
