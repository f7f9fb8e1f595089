/**
 * A fleet stage's run as the engine records it (docs/fleets.md, "Run shape"): `run.started` with the
 * batches, then per batch `batch.started`, each target's `target.started`, deploy, verify, checks and
 * `target.passed` / `target.failed` (+ its own rollback), the bake with the fleet checks, and
 * `batch.finished`; then `stage.passed` (or `stage.failed`) and `run.finished`. Events come in time
 * order, `maxParallel` targets at a time. Used by bench/report.js and the report's tests
 * (test/helpers/fleet-run.ts), so both read the same shapes.
 */
export function fleetRunEvents({
  runId = '20261205T010000Z-f1ee75',
  start = Date.UTC(2026, 11, 5, 1, 0, 0),
  stage = 'everyone',
  targets = 500,
  batches = [1, 49, 150, 150, 150],
  maxParallel = 50,
  polls = 5,
  bakeMs = 60_000,
  name = (i) => `host-${String(i + 1).padStart(3, '0')}`,
  /** target index → how it fails: 'check' | 'deploy' | 'verify' (absent: it is updated). */
  failing = new Map([
    [7, 'check'],
    [120, 'deploy'],
    [260, 'verify'],
    [399, 'check'],
  ]),
  reason = (_i, how) => REASONS[how],
  stageFails = false,
} = {}) {
  const index = 0;
  const names = Array.from({ length: targets }, (_, i) => name(i));
  const plan = { name: 'fleet', path: '/bench/rollout.config.yml', sha256: '0'.repeat(64), vars: {} };
  const layout = [];
  let next = 0;
  for (const size of batches) {
    if (next >= targets) break;
    layout.push(names.slice(next, next + size).map((n, k) => ({ name: n, i: next + k })));
    next += size;
  }
  const out = [];
  const at = (ms) => new Date(start + ms).toISOString();
  const ref = { stage, index };
  const emit = (ms, event) => out.push({ time: at(ms), runId, ...event });
  emit(0, { type: 'run.started', plan, stages: [stage], targets: { [stage]: layout.map((b) => b.map((t) => t.name)) } });
  emit(0, { type: 'stage.started', ...ref });
  let t = 0;
  let failed = 0;
  layout.forEach((batch, b) => {
    emit(t, { type: 'batch.started', ...ref, batch: b + 1, batches: layout.length, targets: batch.map((x) => x.name) });
    const timed = [];
    let end = t;
    batch.forEach((target, k) => {
      const from = t + Math.floor(k / maxParallel) * (3_000 + polls * 1_000) + (k % maxParallel) * 7;
      const events = targetEvents(target, b + 1, from, failing.get(target.i), reason, ref, polls);
      for (const e of events) timed.push(e);
      end = Math.max(end, events.at(-1).ms);
      if (failing.has(target.i)) failed++;
    });
    timed.sort((x, y) => x.ms - y.ms);
    for (const { ms, event } of timed) emit(ms, event);
    t = end + 10;
    const updated = batch.filter((x) => !failing.has(x.i)).length;
    emit(t, { type: 'batch.baking', ...ref, batch: b + 1, bakeMs, until: at(t + bakeMs) });
    emit(t, { type: 'soak.started', ...ref, soakMs: bakeMs, checks: [FLEET_CHECK] });
    const counts = { pass: 0, fail: 0, inconclusive: 0, error: 0 };
    for (let p = 1; p <= 6; p++) emit(t + p * 10_000, poll(ref, null, FLEET_CHECK.name, p, 'pass', 0.002 + p / 10_000, counts));
    t += bakeMs;
    emit(t, { type: 'batch.finished', ...ref, batch: b + 1, batches: layout.length, updated, failed: batch.length - updated, budgetLeft: 50 - failed });
  });
  const failure = stageFails ? { stage, reason: `${failed} targets failed: more than the budget tolerates` } : null;
  if (failure) emit(t, { type: 'stage.failed', ...ref, reason: failure.reason, failedTargets: [], budget: 'total', durationMs: t, check: null, value: null });
  else emit(t, { type: 'stage.passed', ...ref, durationMs: t, inconclusive: [] });
  emit(t, { type: 'run.finished', status: failure ? 'failed' : 'succeeded', durationMs: t, failure, signal: null });
  return out;
}

const REASONS = {
  check: 'health: HTTP 503 3 times in a row',
  deploy: 'deploy exited 1',
  verify: 'verify printed 1.4.1, expected 1.5.0',
};

const TARGET_CHECK = {
  name: 'health',
  description: 'GET http://target/healthz',
  url: 'GET http://target/healthz',
  kind: 'http',
  intervalMs: 1000,
  failureThreshold: 3,
  maxFailures: null,
  minSamples: 1,
  initialDelayMs: 0,
  dryRun: false,
  pass: null,
  fail: null,
  bounds: { pass: null, fail: null },
  onNoData: 'inconclusive',
};

const FLEET_CHECK = {
  ...TARGET_CHECK,
  name: 'error rate',
  description: 'PromQL: sum(rate(errors[1m]))',
  url: 'PromQL',
  kind: 'prometheus',
  intervalMs: 10_000,
};

/** One target's events from `from` (ms since the run started), each with its time. */
function targetEvents({ name: target, i }, batch, from, how, reason, ref, polls) {
  const events = [];
  const add = (ms, event) => events.push({ ms, event: { ...event, ...ref } });
  add(from, { type: 'target.started', target, batch });
  add(from, { type: 'deploy.started', target, command: './deploy.sh "$ROLLOUT_TARGET_HOST"' });
  const outcome = { signal: null, timedOut: false };
  let ms = from + 2_000;
  add(ms, { type: 'deploy.finished', target, exitCode: how === 'deploy' ? 1 : 0, durationMs: 2_000, ...outcome });
  if (how !== 'deploy') {
    ms += 300;
    const ok = how !== 'verify';
    add(ms, { type: 'verify.finished', target, ok, output: ok ? '1.5.0' : '1.4.1', expected: '1.5.0', exitCode: 0, durationMs: 300, ...outcome });
  }
  if (how === undefined || how === 'check') {
    add(ms, { type: 'soak.started', target, soakMs: polls * 1_000, checks: [TARGET_CHECK] });
    const counts = { pass: 0, fail: 0, inconclusive: 0, error: 0 };
    for (let p = 1; p <= polls; p++) {
      const bad = how === 'check' && p > polls - 3;
      add(ms + p * 1_000, {
        ...poll(ref, target, TARGET_CHECK.name, p, bad ? 'fail' : 'pass', 10 + ((i * 7 + p) % 13), counts),
        ...(bad ? { status: 503 } : {}),
      });
    }
    ms += polls * 1_000;
    add(ms, { type: 'check.finished', target, check: TARGET_CHECK.name, verdict: how ? 'fail' : 'pass', reason: null, dryRun: false, samples: polls });
  }
  if (how === undefined) {
    add(ms, { type: 'target.passed', target, durationMs: ms - from });
    return events;
  }
  const check = how === 'check' ? TARGET_CHECK.name : null;
  add(ms, { type: 'target.failed', target, reason: reason(i, how), durationMs: ms - from, check, value: null });
  add(ms, { type: 'rollback.step.started', target, command: './deploy.sh "$ROLLOUT_TARGET_HOST" previous' });
  add(ms + 1_500, { type: 'rollback.step.finished', target, stages: [], exitCode: 0, durationMs: 1_500, ...outcome });
  return events;
}

/** One `check.polled`; `counts` are the check's running totals, counted here. */
function poll(ref, target, check, n, outcome, value, counts = { pass: 0, fail: 0, inconclusive: 0, error: 0 }) {
  counts[outcome]++;
  return {
    type: 'check.polled',
    ...ref,
    ...(target === null ? {} : { target }),
    check,
    kind: target === null ? 'prometheus' : 'http',
    ok: outcome === 'pass',
    outcome,
    status: target === null ? null : 200,
    latencyMs: typeof value === 'number' ? value : 0,
    error: outcome === 'pass' ? null : { kind: 'status', message: 'HTTP 503' },
    value: target === null ? value : { status: outcome === 'pass' ? 200 : 503, latencyMs: value },
    display: target === null ? String(value) : `HTTP ${outcome === 'pass' ? 200 : 503} in ${value} ms`,
    condition: null,
    reason: outcome === 'pass' ? null : 'HTTP 503',
    dryRun: false,
    polls: n,
    failures: 0,
    consecutiveFailures: 0,
    counts: { ...counts },
    consecutiveErrors: 0,
  };
}
