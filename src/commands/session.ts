import { startedBy } from '../actor.js';
import type { Context } from '../context.js';
import type { EngineDeps } from '../engine/deps.js';
import type { RolloutEvent } from '../engine/events.js';
import { createHttpClient } from '../http/client.js';
import { createReporter, type OutputMode } from '../output/create-reporter.js';
import type { Reporter } from '../output/reporter.js';
import type { Plan } from '../plan/types.js';
import { recordEvents } from '../report/record.js';
import { redactError } from '../secrets/redact-events.js';
import { insecureWarnings, setUpSecrets } from '../secrets/setup.js';
import type { LockHandle, StateBackend } from '../state/backend.js';
import { ciJobUrl } from '../state/ci-job.js';
import { isRemoteLocation, localEventLogAnchor } from '../state/registry.js';
import type { StateStore } from '../state/store.js';
import { lockLeftAdvice, STOPPED_BY, stateFailure } from '../state/write-failure.js';
import { engineDeps } from './engine-deps.js';
import { storeFactory } from './session-store.js';
import { stopLeftovers } from './stop-leftovers.js';
import { takeLock } from './take-lock.js';
import { createWarnings } from './warnings.js';

/**
 * What `run`, `resume` and `rollback` share: a reporter, the store's lock (its heartbeat belongs
 * to the lock handle), and the engine's dependencies wired to the store and the reporter. Opened
 * after the input has been validated (bad input never touches the lock), closed on every way out.
 *
 * The run stops — no further command starts, the running one is stopped as a cancel stops it —
 * when the lock is lost or the state cannot be recorded; `settle` then turns that into its error.
 */
export interface Session {
  /** The local path the run's event log sits beside (for `rollout report`). */
  eventLogAnchor: string | null;
  reporter: Reporter;
  backend: StateBackend;
  /** Says a warning: a `warning` event (secrets redacted) to the reporter and the event log. */
  warn(message: string): void;
  /** Redacts secrets from an error escaping the command (its class and exit code kept). */
  redact(error: unknown): unknown;
  lock: LockHandle;
  /** A store for this run; `stored` is what the backend holds now when `doc` is not it. */
  store(doc: StateDocumentOrNull, stored?: StateDocumentOrNull): StateStore;
  /** Engine deps whose events go to the store, any extra listeners (webhooks), then the reporter. */
  deps(runId: string, store: StateStore, listeners?: ((event: RolloutEvent) => void)[]): EngineDeps;
  /**
   * Stops what a dead run left running (every process group it recorded, one per unit), after
   * checking each is the same process; called under the lock, before anything new starts.
   */
  stopLeftovers(doc: StateDocumentOrNull): Promise<void>;
  /** Waits for the store's last write; throws when the run was stopped by a lost lock or a failed write. */
  settle(store: StateStore): Promise<void>;
  close(): Promise<void>;
}

type StateDocumentOrNull = ConstructorParameters<typeof StateStore>[1];

export interface SessionOptions {
  backend: StateBackend;
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
  const { backend, plan } = options;
  // Secrets first: under GitHub Actions their ::add-mask:: lines must precede any other output.
  const { redactor, warnings: secretWarnings } = setUpSecrets(plan, ctx);
  const reporter = createReporter(ctx, options.output);
  const said = createWarnings(ctx, options.runId, redactor, reporter);
  const warn = said.warn;
  const polls = options.command !== 'rollout rollback';
  for (const message of [...secretWarnings, ...(polls ? insecureWarnings(plan) : [])]) warn(message);
  const ciJob = ciJobUrl(ctx.env);
  let lock: LockHandle;
  try {
    lock = await takeLock(
      ctx,
      backend,
      { runId: options.runId, command: options.command, waitLock: options.waitLock, ciJob },
      (value) => redactor.deep(value),
      warn,
    );
  } catch (error) {
    reporter.close();
    await backend.close();
    throw redactError(redactor, error); // "locked by …" quotes the holder's command, which may hold a secret
  }
  // Checks and queries share one client: pooled connections, one proxy and TLS policy.
  const http = createHttpClient(ctx.env);
  // For `rollout report`: the run's events, redacted, in a log beside the local state file (with a
  // shared store, in the plan's .rollout/ of this runner, where `run --report` and `report` find it).
  const eventLogAnchor = isRemoteLocation(backend.location) ? localEventLogAnchor(options.plan.dir) : backend.location;
  // The log's own trouble is said to the reporter only: it cannot record that it cannot record.
  const eventLog = eventLogAnchor
    ? recordEvents(
        ctx,
        { statePath: eventLogAnchor, runId: options.runId, command: options.command },
        (value) => redactor.deep(value),
        (message) => reporter.warn(redactor.text(message)),
      )
    : null;
  if (eventLog) said.record(eventLog);

  // Stops the engine the way a cancel does, without a signal: a lost lock, or a state write that failed.
  // Its reason is what the record says stopped the run (`interruptedBy`); the error itself is kept for settle().
  const stop = new AbortController();
  lock.lost.addEventListener('abort', () => stop.abort(STOPPED_BY.lockLost), { once: true });
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const hardSignal = AbortSignal.any([ctx.hardSignal, stop.signal]);
  const by = startedBy(ctx.env, ctx.host, ciJob);
  // Once only: settle() may release it early (and say so in its error), close() then has nothing to do.
  let release: Promise<void> | undefined;
  let lockAdviceGiven = false;
  const releaseLock = () => {
    release ??= lock.release();
    return release;
  };

  const session: Session = {
    eventLogAnchor,
    reporter,
    backend,
    warn,
    redact: (error) => redactError(redactor, error),
    lock,
    store: storeFactory(backend, reporter, {
      sanitise: (text) => redactor.text(text),
      by: redactor.text(by),
      onFailure: () => stop.abort(STOPPED_BY.stateWrite),
    }),
    deps: engineDeps({ ctx, plan, redactor, reporter, eventLog, http, signal, hardSignal }),
    stopLeftovers: (doc) => stopLeftovers(doc, plan.killGraceMs, ctx.clock, warn),
    async settle(store) {
      await store.close();
      if (!stop.signal.aborted) return;
      const reason = lock.lost.aborted ? lock.lost.reason : store.failure;
      // Released here, so the error can say whether the lock is gone or what to do about it.
      const lockLeft = await releaseLock().then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      lockAdviceGiven = lockLeft !== null;
      throw redactError(
        redactor,
        await stateFailure(reason, store, plan, lockLeft === null ? null : lockLeftAdvice(backend.location, options.runId, lockLeft)),
      );
    },
    async close() {
      eventLog?.close();
      reporter.close();
      try {
        await releaseLock().catch((error: unknown) => {
          if (lockAdviceGiven) return;
          const why = error instanceof Error ? error.message : String(error);
          ctx.term.err.write(`${ctx.term.color.yellow('warning:')} ${redactor.text(lockLeftAdvice(backend.location, options.runId, why))}\n`);
        });
      } finally {
        await backend.close();
        await http.close();
      }
    },
  };
  return session;
}
