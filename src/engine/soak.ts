import { setMaxListeners } from 'node:events';
import type { Measurement } from '../checks/kind.js';
import { isoTime } from '../clock.js';
import { boundsOf } from '../conditions/bounds.js';
import type { Check, OnInconclusive, Stage } from '../plan/types.js';
import type { EngineDeps } from './deps.js';
import type { EmitInput, SoakCheck } from './events.js';
import { jsonValue } from './json-value.js';
import { judge, pollError } from './judge.js';
import { lookAt } from './looks.js';
import { checkSubject, continuesAfterSoak, finalVerdict, newTally, record } from './verdict.js';

export type SoakOutcome =
  | { kind: 'passed' /** Checks that ended inconclusive, let through by `onInconclusive: pass`. */; inconclusive: string[] }
  | { kind: 'failed'; reason: string /** The deciding check and its value, when a check decided. */; check: string | null; value: string | null }
  | { kind: 'interrupted' };

/**
 * Watches a stage for its soak time. Each check is measured on its own schedule (soak start +
 * initialDelay + k×interval, no overlapping measurements of one check), each measurement judged
 * (judge.ts) and folded into the check's verdict (verdict.ts). The first deciding check to fail
 * (or to be unmeasurable `maxConsecutiveErrors` times in a row) fails the stage at once. When the
 * soak is over, a check still in a fail or error run measures on until it clears or decides.
 * The stage is inconclusive when a deciding check ends inconclusive and none failed;
 * `onInconclusive` says what that means. `dryRun` checks are measured and reported, never decide.
 */
export async function soakStage(
  stage: Stage,
  deps: EngineDeps,
  emit: EmitInput,
  policy: { onInconclusive: OnInconclusive /** A fleet target's own soak: its events name it. */; target?: string } = { onInconclusive: 'fail' },
): Promise<SoakOutcome> {
  if (stage.checks.length === 0) {
    await deps.clock.sleep(stage.soakMs, deps.signal);
    return deps.signal.aborted ? { kind: 'interrupted' } : { kind: 'passed', inconclusive: [] };
  }

  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  deps.signal.addEventListener('abort', onInterrupt, { once: true });
  const start = deps.clock.now();
  const soakEnd = start + stage.soakMs;
  let failure: Extract<SoakOutcome, { kind: 'failed' }> | null = null;
  const inconclusive: { name: string; reason: string | null; value: string | null }[] = [];
  const ref = { stage: stage.name, index: stage.index, ...(policy.target === undefined ? {} : { target: policy.target }) };

  const watch = async (check: Check, offsetMs: number) => {
    // One relay per check, not one listener per poll on the shared signal: a thousand checks would
    // otherwise add and remove a thousand listeners on it every round.
    const own = new AbortController();
    const relay = () => own.abort();
    stop.signal.addEventListener('abort', relay, { once: true });
    const tally = newTally();
    let lastDisplay: string | null = null;
    let slot = start + check.initialDelayMs + offsetMs;
    // From now, not from the soak's start: setting up a thousand checks takes tens of milliseconds,
    // and a timer set later for the same length made every first measurement that much late.
    const firstWait = slot - deps.clock.now();
    if (firstWait > 0) await deps.clock.sleep(firstWait, own.signal);
    while (!own.signal.aborted) {
      const measurement = await deps.measure(check, stage, own.signal, lookAt(check, stage.soakMs, start, slot - offsetMs));
      if (own.signal.aborted) break;
      const judged = judge(check, measurement);
      const decided = record(checkSubject(check), check, tally, judged.outcome, judged.reason, judged.errorKind);
      lastDisplay = measurement.display;
      // Built whole, stamped here (time, runId, ref) in the order the engine's emitter would add them:
      // a measurement is the one event made a thousand times a second, and copying a 20-key event
      // to add three keys cost ~2 KB of garbage each time (drive.ts passes a stamped event as it is).
      emit({
        type: 'check.polled',
        stage: ref.stage,
        index: ref.index,
        check: check.name,
        kind: check.kind,
        ok: judged.outcome === 'pass',
        outcome: judged.outcome,
        status: legacyStatus(measurement),
        latencyMs: measurement.latencyMs,
        error: pollError(judged),
        value: jsonValue(measurement.value),
        display: measurement.display,
        condition: judged.condition,
        reason: judged.reason,
        dryRun: check.dryRun,
        polls: tally.samples,
        failures: tally.counts.fail,
        consecutiveFailures: tally.consecutiveFailures,
        counts: { ...tally.counts },
        consecutiveErrors: tally.consecutiveErrors,
        time: isoTime(deps.clock.now()),
        runId: deps.runId,
        ref: { stage: ref.stage },
      });
      if (decided) {
        emit({
          type: 'check.finished',
          ...ref,
          check: check.name,
          verdict: decided.verdict,
          reason: decided.reason,
          dryRun: check.dryRun,
          samples: tally.samples,
        });
        if (!check.dryRun) {
          failure ??= { kind: 'failed', reason: decided.reason, check: check.name, value: measurement.display };
          stop.abort();
        }
        break;
      }
      const now = deps.clock.now();
      slot += check.intervalMs;
      // Fell behind (slow measurement): skip the missed slots rather than firing a burst to catch up.
      if (slot < now) slot += Math.ceil((now - slot) / check.intervalMs) * check.intervalMs;
      // The slot at the soak's very end is measured too: an 8 s soak at 1 s after a 5 s delay gets
      // measurements at 5, 6, 7 and 8 s, not three.
      if ((now > soakEnd + offsetMs || slot - offsetMs > soakEnd) && (check.dryRun || !continuesAfterSoak(tally))) break;
      await deps.clock.sleep(slot - now, own.signal);
    }
    stop.signal.removeEventListener('abort', relay);
    if (tally.decided || own.signal.aborted) return;
    const final = finalVerdict(check, tally);
    emit({ type: 'check.finished', ...ref, check: check.name, verdict: final.verdict, reason: final.reason, dryRun: check.dryRun, samples: tally.samples });
    if (final.verdict === 'inconclusive' && !check.dryRun) inconclusive.push({ name: check.name, reason: final.reason, value: lastDisplay });
  };

  try {
    // First measurements are spread over the interval in groups (at most 1 ms a check), so a
    // thousand checks do not all fire at the same instant, nor wake the process a thousand times a
    // second: a group of ten shares one timer wake-up. Each check then keeps its own schedule.
    setMaxListeners(stage.checks.length + 10, stop.signal);
    await Promise.all(stage.checks.map((check, i) => watch(check, firstOffset(i, check.intervalMs, stage.checks.length))));
    if (failure === null && !stop.signal.aborted) await deps.clock.sleep(soakEnd - deps.clock.now(), stop.signal);
  } finally {
    deps.signal.removeEventListener('abort', onInterrupt);
  }
  if (failure !== null) return failure;
  if (deps.signal.aborted) return { kind: 'interrupted' };
  const first = inconclusive[0];
  if (first !== undefined && policy.onInconclusive === 'fail') {
    const others =
      inconclusive.length > 1
        ? ` (and ${inconclusive
            .slice(1)
            .map((c) => c.name)
            .join(', ')})`
        : '';
    const reason = `check ${first.name} was inconclusive${others}: ${first.reason ?? 'not enough evidence'} (onInconclusive: fail)`;
    return { kind: 'failed', reason, check: first.name, value: first.value };
  }
  return { kind: 'passed', inconclusive: inconclusive.map((c) => c.name) };
}

/** Checks that start in the same millisecond (and so share timer wake-ups), at most. */
const START_GROUP = 10;

/** When check `i` of `count` first measures, after the soak's start (plus its own delay). */
function firstOffset(i: number, intervalMs: number, count: number): number {
  const spacing = Math.min(1, intervalMs / count);
  return Math.floor(Math.floor(i / START_GROUP) * START_GROUP * spacing);
}

/** `check.polled`'s `status`, kept for 0.1.0's readers: the kind's own `status` detail when it is a number. */
function legacyStatus(measurement: Measurement): number | null {
  const status = measurement.detail?.status;
  return typeof status === 'number' ? status : null;
}

/** How `soak.started` announces a check. */
export function soakCheck(check: Check): SoakCheck {
  return {
    name: check.name,
    description: check.description,
    url: check.description,
    kind: check.kind,
    intervalMs: check.intervalMs,
    failureThreshold: check.failureThreshold,
    maxFailures: check.maxFailures,
    minSamples: check.minSamples,
    initialDelayMs: check.initialDelayMs,
    dryRun: check.dryRun,
    pass: check.pass,
    fail: check.fail,
    bounds: { pass: check.pass === null ? null : boundsOf(check.pass), fail: check.fail === null ? null : boundsOf(check.fail) },
    onNoData: check.onNoData,
  };
}
