import { isoTime } from '../clock.js';
import type { Context } from '../context.js';
import { parseWaitLock } from '../option-values.js';
import type { LockHandle, StateBackend } from '../state/backend.js';
import { currentIdentity } from '../state/identity.js';

export interface LockRequest {
  runId: string;
  command: string;
  /** `--wait-lock` as given, e.g. `10m`. */
  waitLock?: string;
  /** The CI job's URL, when the CI gives one: a later run names it as the holder. */
  ciJob: string | null;
}

/**
 * Takes the state's lock for a command, saying who holds it (pid, host, process start, a token) so
 * a later run can tell a live holder from a dead one. The lock handle owns its heartbeat and says
 * when the lock is lost. `redact` hides secrets in the record (a command line may hold one).
 */
export async function takeLock(
  ctx: Context,
  backend: StateBackend,
  request: LockRequest,
  redact: <T>(value: T) => T,
  warn: (message: string) => void,
): Promise<LockHandle> {
  const waitMs = request.waitLock === undefined ? 0 : parseWaitLock(request.waitLock);
  const now = isoTime(ctx.clock.now());
  const identity = currentIdentity(ctx.pid);
  return backend.lock(
    redact({
      runId: request.runId,
      pid: ctx.pid,
      host: ctx.host,
      startedAt: now,
      command: request.command,
      heartbeatAt: now,
      ...(identity.machine ? { machine: identity.machine } : {}),
      ...(identity.pidStart ? { pidStart: identity.pidStart } : {}),
      token: identity.token,
      ...(request.ciJob ? { ciJob: request.ciJob } : {}),
    }),
    { warn, now: () => ctx.clock.now(), waitMs, sleep: (ms) => ctx.clock.sleep(ms, ctx.signal) },
  );
}
