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

  const watch = async (check: HealthCheck) => {
    let polls = 0;
    let failures = 0;
    let consecutive = 0;
    let passedOnce = false;
    let slot = start;
    while (!stop.signal.aborted) {
      const result = await deps.poll(check, stop.signal);
      if (stop.signal.aborted) return;
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
        return;
      }
      const now = deps.clock.now();
      slot += check.intervalMs;
      // Fell behind (slow poll): skip the missed slots rather than firing a burst to catch up.
      if (slot < now) slot += Math.ceil((now - slot) / check.intervalMs) * check.intervalMs;
      if (passedOnce && (now >= soakEnd || slot >= soakEnd)) return;
      await deps.clock.sleep(slot - now, stop.signal);
    }
  };

  try {
    await Promise.all(stage.health.map(watch));
    if (failure === null && !stop.signal.aborted) await deps.clock.sleep(soakEnd - deps.clock.now(), stop.signal);
  } finally {
    deps.signal.removeEventListener('abort', onInterrupt);
  }
  if (failure !== null) return { kind: 'failed', reason: failure };
  if (deps.signal.aborted) return { kind: 'interrupted' };
  return { kind: 'passed' };
}
