import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { runRollout } from '../engine/run-rollout.js';
import { exitCodeFor } from '../exit-status.js';
import { renderSummary } from '../output/summary.js';
import { describeUnfinished } from '../output/unfinished.js';
import { loadPlan } from '../plan/load.js';
import { parseVarFlags } from '../plan/vars.js';
import { newRunId } from '../run-id.js';
import { archiveUnfinished, readState, StateStore } from '../state/store.js';
import { openSession } from './session.js';

export interface RunOptions {
  config?: string;
  state?: string;
  var?: string[];
  waitLock?: string;
}

/** `rollout run`: validate everything first, then lock, then deploy stage by stage. */
export async function run(options: RunOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, vars: parseVarFlags(options.var ?? []), env: ctx.env });
  const statePath = options.state !== undefined ? resolve(ctx.cwd, options.state) : plan.statePath;
  readState(statePath); // a damaged state file is bad input: refuse before touching anything
  const runId = newRunId(ctx.clock.now());
  const session = await openSession(ctx, { statePath, runId, command: 'rollout run', waitLock: options.waitLock });
  const store = new StateStore(statePath);
  try {
    // Under the lock: a run that never finished is kept, not overwritten, and we say where.
    const previous = readState(statePath);
    if (previous && (previous.status === 'running' || previous.status === 'interrupted')) {
      const archive = archiveUnfinished(statePath, previous);
      session.reporter.warn(`${describeUnfinished(previous)} Its record is kept in ${archive}; undo it with: rollout rollback --state ${archive}`);
    }
    const outcome = await runRollout(plan, session.deps(runId, store));
    session.reporter.close();
    if (store.document) ctx.term.out.write(`${renderSummary(store.document, ctx.term.color)}\n`);
    return exitCodeFor(outcome.status, ctx.signal.reason);
  } finally {
    store.close();
    session.close();
  }
}
