import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { closeHttpAgents } from '../checks/http.js';
import { pollCheck } from '../checks/poll.js';
import { isoTime } from '../clock.js';
import type { Context } from '../context.js';
import type { EngineDeps } from '../engine/deps.js';
import type { RolloutEvent } from '../engine/events.js';
import { InputError } from '../errors.js';
import { runCommand } from '../exec/run-command.js';
import { createReporter, type OutputMode } from '../output/create-reporter.js';
import type { Reporter } from '../output/reporter.js';
import { parseDuration } from '../plan/duration.js';
import type { Plan } from '../plan/types.js';
import { recordEvents } from '../report/record.js';
import { redactError, redactEvents, redactWarnings } from '../secrets/redact-events.js';
import { insecureWarnings, setUpSecrets } from '../secrets/setup.js';
import { acquireLock, HEARTBEAT_MS, type LockHandle } from '../state/lock.js';
import type { StateStore } from '../state/store.js';

/**
 * What `run`, `resume` and `rollback` share: a reporter, the state file's lock with its heartbeat,
 * and the engine's dependencies wired to the store and the reporter. Opened after the input has
 * been validated (bad input never touches the lock), closed on every way out.
 */
export interface Session {
  reporter: Reporter;
  /** Warns through the reporter, secrets redacted. */
  warn(message: string): void;
  /** Redacts secrets from an error escaping the command (its class and exit code kept). */
  redact(error: unknown): unknown;
  lock: LockHandle;
  /** Engine deps whose events go to the store, any extra listeners (webhooks), then the reporter. */
  deps(runId: string, store: StateStore, listeners?: ((event: RolloutEvent) => void)[]): EngineDeps;
  close(): void;
}

export interface SessionOptions {
  statePath: string;
  runId: string;
  command: string;
  /** `--wait-lock` as given, e.g. `10m`. */
  waitLock?: string;
  /** `--json`, `--quiet`, `--verbose`. */
  output?: OutputMode;
  /** The plan: its `secrets` are redacted from everything the session writes. */
  plan: Plan;
}

export async function openSession(ctx: Context, options: SessionOptions): Promise<Session> {
  const waitMs = options.waitLock === undefined ? 0 : parseDuration(options.waitLock);
  if (waitMs === undefined) throw new InputError(`--wait-lock ${options.waitLock}: expected a duration like 30s, 5m or 1h`);
  // Secrets first: under GitHub Actions their ::add-mask:: lines must precede any other output.
  const { redactor, warnings } = setUpSecrets(options.plan, ctx);
  const reporter = createReporter(ctx, options.output);
  const warn = redactWarnings(redactor, reporter);
  const polls = options.command !== 'rollout rollback';
  for (const message of [...warnings, ...(polls ? insecureWarnings(options.plan) : [])]) warn(message);
  mkdirSync(dirname(options.statePath), { recursive: true, mode: 0o700 });
  const now = isoTime(ctx.clock.now());
  let lock: LockHandle;
  try {
    lock = await acquireLock(
      `${options.statePath}.lock`,
      redactor.deep({ runId: options.runId, pid: ctx.pid, host: ctx.host, startedAt: now, command: options.command, heartbeatAt: now }),
      { warn, now: () => ctx.clock.now(), waitMs, sleep: (ms) => ctx.clock.sleep(ms, ctx.signal) },
    );
  } catch (error) {
    reporter.close();
    throw redactError(redactor, error); // "locked by …" quotes the holder's command, which may hold a secret
  }
  const heartbeat = setInterval(() => {
    if (!lock.heartbeat(isoTime(ctx.clock.now()))) warn(`the lock ${lock.path} was removed by someone else while this run holds it`);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const eventLog = recordEvents(ctx, options, (value) => redactor.deep(value), warn); // for `rollout report`

  return {
    reporter,
    warn,
    redact: (error) => redactError(redactor, error),
    lock,
    deps: (runId, store, listeners = []) => ({
      runId,
      clock: ctx.clock,
      env: ctx.env,
      exec: runCommand,
      poll: pollCheck,
      // Redacted before anything sees them: the store, webhooks and the reporter get no secret.
      emit: redactEvents(redactor, (event: RolloutEvent) => {
        store.handle(event);
        eventLog.append(event);
        for (const listener of listeners) listener(event);
        return reporter.handle(event);
      }),
      signal: ctx.signal,
      hardSignal: ctx.hardSignal,
    }),
    close() {
      clearInterval(heartbeat);
      eventLog.close();
      reporter.close();
      lock.release();
      closeHttpAgents();
    },
  };
}
