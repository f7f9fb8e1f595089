import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { closeHttpAgents } from '../checks/http.js';
import { pollCheck } from '../checks/poll.js';
import { isoTime } from '../clock.js';
import type { Context } from '../context.js';
import { runRollout } from '../engine/run-rollout.js';
import { runCommand } from '../exec/run-command.js';
import { exitCodeFor } from '../exit-status.js';
import { Notifier } from '../notify/notifier.js';
import { createReporter } from '../output/create-reporter.js';
import { renderSummary } from '../output/summary.js';
import { loadPlan } from '../plan/load.js';
import { parseVarFlags } from '../plan/vars.js';
import { newRunId } from '../run-id.js';
import { acquireLock } from '../state/lock.js';
import { StateStore } from '../state/store.js';

export interface RunOptions {
  config?: string;
  state?: string;
  var?: string[];
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  dryRun?: boolean;
}

/** How long a finished run waits for webhook deliveries still in flight. */
export const NOTIFY_DRAIN_MS = 10_000;

/** Seconds a command gets after SIGTERM before SIGKILL, on timeout or cancel. */
export const KILL_GRACE_MS = 5000;

/** `rollout run`: validate everything first, then lock, then deploy stage by stage. */
export async function run(options: RunOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, vars: parseVarFlags(options.var ?? []), env: ctx.env });
  const statePath = options.state !== undefined ? resolve(ctx.cwd, options.state) : plan.statePath;
  const runId = newRunId(ctx.clock.now());
  if (options.dryRun) return (await import('./dry-run.js')).dryRun(plan, runId, options, ctx);
  const reporter = createReporter(ctx, options);

  mkdirSync(dirname(statePath), { recursive: true, mode: 0o700 });
  const lock = acquireLock(
    `${statePath}.lock`,
    { runId, pid: ctx.pid, host: ctx.host, startedAt: isoTime(ctx.clock.now()), command: 'rollout run' },
    { warn: (message) => reporter.warn(message) },
  );
  const store = new StateStore(statePath);
  const notifier = plan.notify?.length ? new Notifier({ plan: plan.name, hooks: plan.notify, warn: (message) => reporter.warn(message) }) : null;
  let exitCode: number;
  try {
    const outcome = await runRollout(plan, {
      runId,
      clock: ctx.clock,
      env: ctx.env,
      exec: runCommand,
      poll: pollCheck,
      emit: (event) => {
        store.handle(event);
        notifier?.handle(event);
        return reporter.handle(event);
      },
      signal: ctx.signal,
      killGraceMs: KILL_GRACE_MS,
    });
    exitCode = exitCodeFor(outcome.status, ctx.signal.reason);
  } finally {
    store.close();
    reporter.close();
    lock.release();
    closeHttpAgents();
  }
  // The rollout is decided and recorded; webhooks get a bounded wait, outside the lock (shorter when interrupted).
  await notifier?.drain(ctx.signal.aborted ? 2_000 : NOTIFY_DRAIN_MS);
  if (store.document && !options.json && !options.quiet) ctx.term.out.write(`${renderSummary(store.document, ctx.term.color)}\n`);
  return exitCode;
}
