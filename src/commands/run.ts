import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { closeHttpAgents } from '../checks/http.js';
import { pollCheck } from '../checks/poll.js';
import { isoTime } from '../clock.js';
import type { Context } from '../context.js';
import { runRollout } from '../engine/run-rollout.js';
import { runCommand } from '../exec/run-command.js';
import { exitCodeFor } from '../exit-status.js';
import { createReporter } from '../output/create-reporter.js';
import { renderSummary } from '../output/summary.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import { parseVarFlags } from '../plan/vars.js';
import { newRunId } from '../run-id.js';
import type { Redactor } from '../secrets/redact.js';
import { redactError, redactEvents, redactWarnings } from '../secrets/redact-events.js';
import { insecureWarnings, setUpSecrets } from '../secrets/setup.js';
import { acquireLock } from '../state/lock.js';
import { StateStore } from '../state/store.js';

export interface RunOptions {
  config?: string;
  state?: string;
  var?: string[];
}

/** Seconds a command gets after SIGTERM before SIGKILL, on timeout or cancel. */
export const KILL_GRACE_MS = 5000;

/** `rollout run`: validate everything first, then lock, then deploy stage by stage. */
export async function run(options: RunOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, vars: parseVarFlags(options.var ?? []), env: ctx.env });
  const statePath = options.state !== undefined ? resolve(ctx.cwd, options.state) : plan.statePath;
  const runId = newRunId(ctx.clock.now());
  const { redactor, warnings } = setUpSecrets(plan, ctx);
  try {
    return await runPlan(plan, statePath, runId, redactor, warnings, ctx);
  } catch (error) {
    throw redactError(redactor, error);
  }
}

async function runPlan(plan: Plan, statePath: string, runId: string, redactor: Redactor, warnings: string[], ctx: Context): Promise<number> {
  const reporter = createReporter(ctx);
  const warn = redactWarnings(redactor, reporter);
  for (const message of [...warnings, ...insecureWarnings(plan)]) warn(message);

  mkdirSync(dirname(statePath), { recursive: true, mode: 0o700 });
  const lock = acquireLock(
    `${statePath}.lock`,
    redactor.deep({ runId, pid: ctx.pid, host: ctx.host, startedAt: isoTime(ctx.clock.now()), command: 'rollout run' }),
    { warn },
  );
  const store = new StateStore(statePath);
  try {
    const outcome = await runRollout(plan, {
      runId,
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
    reporter.close();
    if (store.document) ctx.term.out.write(`${renderSummary(store.document, ctx.term.color)}\n`);
    return exitCodeFor(outcome.status, ctx.signal.reason);
  } finally {
    store.close();
    reporter.close();
    lock.release();
    closeHttpAgents();
  }
}
