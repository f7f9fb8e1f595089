import { setMaxListeners } from 'node:events';
import type { HealthCheck, Stage } from '../plan/types.js';
import type { EngineDeps } from './deps.js';
import type { EmitInput } from './events.js';

export type SoakOutcome = { kind: 'passed' } | { kind: 'failed'; reason: string } | { kind: 'interrupted' };

/**
 * Watches a stage for its soak time. Each check is polled on its own schedule (start + k×interval,
 * no overlapping polls of one check). The first check to fail `failureThreshold` polls in a row
 * fails the stage at once. The stage passes when the soak is over and every check has answered
 * healthy at least once, so a soak of 0 means "each check passed once".
 */
export async function soakStage(stage: Stage, deps: EngineDeps, emit: EmitInput): Promise<SoakOutcome> {
  if (stage.health.length === 0) {
    await deps.clock.sleep(stage.soakMs, deps.signal);
    return deps.signal.aborted ? { kind: 'interrupted' } : { kind: 'passed' };
  }

  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  deps.signal.addEventListener('abort', onInterrupt, { once: true });
  const start = deps.clock.now();
  const soakEnd = start + stage.soakMs;
  let failure: string | null = null;

  const watch = async (check: HealthCheck, offsetMs: number) => {
    // One relay per check, not one listener per poll on the shared signal: a thousand checks would
    // otherwise add and remove a thousand listeners on it every round.
    const own = new AbortController();
    const relay = () => own.abort();
    stop.signal.addEventListener('abort', relay, { once: true });
    let polls = 0;
    let failures = 0;
    let consecutive = 0;
    let passedOnce = false;
    let slot = start + offsetMs;
    if (offsetMs > 0) await deps.clock.sleep(offsetMs, own.signal);
    while (!own.signal.aborted) {
      const result = await deps.poll(check, own.signal);
      if (own.signal.aborted) break;
      polls++;
      if (result.ok) {
        consecutive = 0;
        passedOnce = true;
      } else {
        failures++;
        consecutive++;
      }
      emit({
        type: 'check.polled',
        stage: stage.name,
        index: stage.index,
        check: check.name,
        ok: result.ok,
        status: result.status,
        latencyMs: result.latencyMs,
        error: result.error,
        polls,
        failures,
        consecutiveFailures: consecutive,
      });
      if (consecutive >= check.failureThreshold) {
        const times = consecutive === 1 ? 'once' : `${consecutive} times in a row`;
        failure ??= `health check ${check.name} failed ${times}: ${result.error?.message ?? 'unhealthy'}`;
        stop.abort();
        break;
      }
      const now = deps.clock.now();
      slot += check.intervalMs;
      // Fell behind (slow poll): skip the missed slots rather than firing a burst to catch up.
      if (slot < now) slot += Math.ceil((now - slot) / check.intervalMs) * check.intervalMs;
      if (passedOnce && (now >= soakEnd || slot >= soakEnd)) break;
      await deps.clock.sleep(slot - now, own.signal);
    }
    stop.signal.removeEventListener('abort', relay);
  };

  try {
    // First polls are spread 1 ms apart (within one interval), so a thousand checks do not all
    // fire at the same instant; each check then keeps its own regular schedule.
    setMaxListeners(stage.health.length + 10, stop.signal);
    await Promise.all(stage.health.map((check, i) => watch(check, Math.floor(i * Math.min(1, check.intervalMs / stage.health.length)))));
    if (failure === null && !stop.signal.aborted) await deps.clock.sleep(soakEnd - deps.clock.now(), stop.signal);
  } finally {
    deps.signal.removeEventListener('abort', onInterrupt);
  }
  if (failure !== null) return { kind: 'failed', reason: failure };
  if (deps.signal.aborted) return { kind: 'interrupted' };
  return { kind: 'passed' };
}
