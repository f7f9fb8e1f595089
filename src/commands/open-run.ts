import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import type { OutputMode } from '../output/create-reporter.js';
import { describeUnfinished } from '../output/unfinished.js';
import { loadPlan } from '../plan/load.js';
import type { Fleet, Plan } from '../plan/types.js';
import { MASK } from '../secrets/redact.js';
import { looksSecret } from '../secrets/secret-name.js';
import type { StateDocument } from '../state/document.js';
import type { StateStore } from '../state/store.js';
import { openPlanState, type StateFlags } from './locate-state.js';
import { openSession, type Session } from './session.js';

export interface ContinueFlags extends OutputMode, StateFlags {
  waitLock?: string;
}

/** A run opened under its lock: its plan, session, state and store, ready for the loop (drive-run.ts). */
export interface OpenRun {
  runId: string;
  plan: Plan;
  session: Session;
  /** The run's state as it stands under the lock (null: a new run); the store folds what follows into it. */
  doc: StateDocument | null;
  store: StateStore;
}

/**
 * Checks a recorded run may be continued, in the command's terms: throws an InputError to refuse,
 * or returns an exit code when there is nothing to do (a retried job resuming a run that succeeded).
 */
export type ContinueCheck = (doc: StateDocument, plan: Plan, location: string) => number | undefined;

/**
 * What `resume`, `promote` and `abort` share before they continue a run: load the plan with the
 * vars the run started with, read the state, check (before locking: bad input never touches the
 * lock), take the lock, read again and check again under it (someone may have moved the run on
 * meanwhile), and stop whatever a dead process left running. Returns an exit code instead when
 * `check` says there is nothing to do.
 */
export async function openRunToContinue(
  command: string,
  flags: ContinueFlags,
  ctx: Context,
  check: ContinueCheck,
  /** `rollout rollback` undoes with the plan as it is now (its own vars), not with the run's. */
  vars: 'recorded' | 'plan' = 'recorded',
): Promise<(OpenRun & { doc: StateDocument }) | number> {
  // Only where the state is: the plan is loaded again below, with the run's vars and the targets the run recorded.
  const located = await loadPlan({ cwd: ctx.cwd, config: flags.config, env: ctx.env, signal: ctx.signal, inventory: 'skip' });
  const backend = await openPlanState(flags, located, ctx);
  let plan: Plan;
  let before: StateDocument | null;
  try {
    before = await backend.read();
    if (!before) {
      const what = command === 'rollout rollback' ? 'there is nothing to roll back' : `there is no run to ${command.replace('rollout ', '')}`;
      throw new InputError(`no rollout state at ${backend.location}: ${what}.`);
    }
    // A run keeps the targets its inventory listed when it started: resume and rollback act on those,
    // and work while the inventory is down. A run from before inventories, or without one, lists them now.
    const inventory = before.inventory ? { recorded: before.inventory } : 'run';
    plan = await loadPlan({
      cwd: ctx.cwd,
      config: flags.config,
      env: ctx.env,
      signal: ctx.signal,
      inventory,
      ...(vars === 'plan' ? {} : { vars: recordedVars(before) }),
    });
    const early = check(before, plan, backend.location);
    if (early !== undefined) {
      await backend.close();
      return early;
    }
  } catch (error) {
    await backend.close();
    throw error;
  }
  const session = await openSession(ctx, { backend, runId: before.runId, command, waitLock: flags.waitLock, output: flags, plan });
  try {
    const doc = (await backend.read()) ?? before;
    const early = check(doc, plan, backend.location);
    if (early !== undefined) {
      await session.close();
      return early;
    }
    const unrecorded = vars === 'plan' ? [] : Object.keys(before.plan.vars ?? {}).filter((name) => !Object.hasOwn(recordedVars(before), name));
    if (unrecorded.length > 0)
      session.warn(
        `${unrecorded.length === 1 ? 'var' : 'vars'} ${unrecorded.join(', ')} ${unrecorded.length === 1 ? 'looks' : 'look'} secret, so run ${before.runId} did not record ` +
          `${unrecorded.length === 1 ? 'its value' : 'their values'}: continuing with the plan's`,
      );
    await session.stopLeftovers(doc);
    return { runId: doc.runId, plan, session, doc, store: session.store(doc) };
  } catch (error) {
    await session.close();
    throw session.redact(error);
  }
}

/**
 * `rollout run`'s open: refuse a damaged or unreachable state before touching anything, take the
 * lock, and — under it — keep a run that never finished (archived, not overwritten) and say where,
 * stopping what it left running.
 */
export async function openNewRun(plan: Plan, runId: string, flags: ContinueFlags, ctx: Context): Promise<OpenRun> {
  const backend = await openPlanState(flags, plan, ctx);
  try {
    await backend.read();
  } catch (error) {
    await backend.close();
    throw error;
  }
  const session = await openSession(ctx, { backend, runId, command: 'rollout run', waitLock: flags.waitLock, output: flags, plan });
  try {
    const previous = await backend.read();
    if (previous && (previous.status === 'running' || previous.status === 'interrupted')) {
      await session.stopLeftovers(previous);
      const archive = await backend.archiveUnfinished(previous);
      session.warn(`${describeUnfinished(previous)} Its record is kept in ${archive.kept}; undo it with: ${archive.undo}`);
    }
    return { runId, plan, session, doc: null, store: session.store(null, previous) };
  } catch (error) {
    await session.close();
    throw session.redact(error);
  }
}

/** A run is continued only with the plan it was recorded under (unless the change is allowed) and with the same stages. */
export function checkSamePlan(doc: StateDocument, plan: Plan, allowPlanChange: boolean): void {
  if (doc.plan.sha256 !== plan.sha256 && !allowPlanChange) {
    throw new InputError(
      `the plan ${plan.path} changed since run ${doc.runId} started (sha256 ${doc.plan.sha256.slice(0, 12)}… → ${plan.sha256.slice(0, 12)}…). ` +
        'Resume with the plan as it was, or pass --allow-plan-change if the change is intended.',
    );
  }
  const before = doc.stages.map((s) => s.name).join(', ');
  const now = plan.stages.map((s) => s.name).join(', ');
  if (before !== now)
    throw new InputError(`the run's stages (${before}) are not the plan's stages (${now}); a run can only be resumed with the same stages, in the same order.`);
  for (const stage of doc.stages) checkSameTargets(stage, plan.stages[plan.stages.findIndex((s) => s.name === stage.name)]?.fleet ?? null);
}

/** A fleet stage's targets, batch by batch, as the run recorded them and as the plan makes them now: they must agree. */
function checkSameTargets(stage: StateDocument['stages'][number], fleet: Fleet | null): void {
  const recorded = (stage.targets ?? []).map((t) => `${t.batch}:${t.name}`).join(', ');
  const now = (fleet?.batches ?? []).flatMap((names, i) => names.map((name) => `${i + 1}:${name}`)).join(', ');
  if (recorded === now) return;
  const words = (text: string) => (text === '' ? 'no targets' : text.length > 200 ? `${text.slice(0, 199)}…` : text);
  throw new InputError(
    `stage ${stage.name}'s targets (batch:target) in the run (${words(recorded)}) are not the plan's now (${words(now)}); a run can only be resumed with the same targets in the same batches. Change the plan back, or start a new run.`,
  );
}

/** The run's vars as recorded, less secret ones (recorded as `***`): for those the plan's value stands. */
function recordedVars(doc: StateDocument): Record<string, string> {
  return Object.fromEntries(Object.entries(doc.plan.vars ?? {}).filter(([name, value]) => !(value === MASK && looksSecret(name))));
}
