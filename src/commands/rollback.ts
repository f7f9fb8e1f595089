import { resolve } from 'node:path';
import { closeHttpAgents } from '../checks/http.js';
import { pollCheck } from '../checks/poll.js';
import { isoTime } from '../clock.js';
import type { Context } from '../context.js';
import { rollBackRun } from '../engine/rollback.js';
import { InputError } from '../errors.js';
import { runCommand } from '../exec/run-command.js';
import { rollbackExitCode } from '../exit-status.js';
import { createReporter } from '../output/create-reporter.js';
import { renderSummary } from '../output/summary.js';
import { loadPlan } from '../plan/load.js';
import type { Plan, Stage } from '../plan/types.js';
import type { Redactor } from '../secrets/redact.js';
import { redactError, redactEvents, redactWarnings } from '../secrets/redact-events.js';
import { setUpSecrets } from '../secrets/setup.js';
import { acquireLock } from '../state/lock.js';
import { wasDeployed } from '../state/reduce.js';
import { readState, StateStore } from '../state/store.js';
import { KILL_GRACE_MS } from './run.js';

export interface RollbackOptions {
  config?: string;
  state?: string;
}

/**
 * `rollout rollback`: undo what the last run deployed and has not been undone yet, newest first,
 * using the plan's current rollback commands. Safe to repeat after fixing a failed rollback.
 */
export async function rollback(options: RollbackOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env });
  const statePath = options.state !== undefined ? resolve(ctx.cwd, options.state) : plan.statePath;
  const { redactor, warnings } = setUpSecrets(plan, ctx);
  try {
    return await rollBack(plan, statePath, redactor, warnings, ctx);
  } catch (error) {
    throw redactError(redactor, error);
  }
}

async function rollBack(plan: Plan, statePath: string, redactor: Redactor, warnings: string[], ctx: Context): Promise<number> {
  const reporter = createReporter(ctx);
  const warn = redactWarnings(redactor, reporter);
  for (const message of warnings) warn(message);
  const before = readState(statePath);
  if (!before) throw new InputError(`no rollout state at ${statePath}: there is nothing to roll back.`);

  const lock = acquireLock(
    `${statePath}.lock`,
    redactor.deep({ runId: before.runId, pid: ctx.pid, host: ctx.host, startedAt: isoTime(ctx.clock.now()), command: 'rollout rollback' }),
    { warn },
  );
  try {
    // Re-read under the lock: the run we are undoing may have moved on since.
    const doc = readState(statePath) ?? before;
    const deployed = doc.stages.filter(wasDeployed).map((state) => planStage(plan.stages, state.name, statePath));
    if (deployed.length === 0) {
      ctx.term.out.write(`Nothing to roll back: run ${doc.runId} has no deployed stage left (status ${doc.status}).\n`);
      return 0;
    }
    if (doc.plan.sha256 !== plan.sha256) warn(`the plan changed since run ${doc.runId}; using its current rollback commands`);

    const store = new StateStore(statePath, doc);
    let status: Awaited<ReturnType<typeof rollBackRun>>;
    try {
      status = await rollBackRun(plan, deployed, doc.failure, {
        runId: doc.runId,
        clock: ctx.clock,
        env: ctx.env,
        exec: runCommand,
        poll: pollCheck,
        emit: redactEvents(redactor, (event) => {
          store.handle(event);
          return reporter.handle(event);
        }),
        signal: ctx.signal,
        killGraceMs: KILL_GRACE_MS,
      });
    } finally {
      store.close();
      reporter.close();
    }
    ctx.term.out.write(`${renderSummary(doc, ctx.term.color)}\n`);
    return rollbackExitCode(status, ctx.signal.reason);
  } finally {
    lock.release();
    closeHttpAgents();
  }
}

function planStage(stages: readonly Stage[], name: string, statePath: string): Stage {
  const stage = stages.find((s) => s.name === name);
  if (!stage)
    throw new InputError(`stage "${name}" was deployed by the run in ${statePath} but is not in the plan any more; restore it in the plan to roll it back.`);
  return stage;
}
