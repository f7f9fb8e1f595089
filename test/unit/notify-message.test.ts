import { describe, expect, it } from 'vitest';
import type { CheckPolled, RolloutEvent, StageFailed } from '../../src/engine/events.js';
import { MeasuredValues } from '../../src/notify/measured-values.js';
import { notifyPayload } from '../../src/notify/message.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import type { StateDocument } from '../../src/state/document.js';
import { polled, soakCheck } from '../helpers/checks.js';

/**
 * A webhook message is a pure function of the event and the document the one reducer folded the
 * run's events into (src/run/reduce.ts): these build the document by folding, as the state store
 * does, and ask for the message of the last event.
 */

const runId = 'r1';
const at = (s: number) => new Date(Date.UTC(2026, 11, 5, 1, 0, s)).toISOString();
const ref = { runId, stage: 'canary', index: 0 };

function fold(events: RolloutEvent[]): StateDocument {
  const [first, ...rest] = events;
  if (first?.type !== 'run.started') throw new Error('a run starts with run.started');
  const doc = initialState(first);
  for (const event of [first, ...rest]) applyEvent(doc, event);
  return doc;
}

const started: RolloutEvent = { type: 'run.started', runId, time: at(0), plan: { name: 'shop', path: '/p', sha256: 'x', vars: {} }, stages: ['canary'] };
const soak: RolloutEvent = { type: 'soak.started', ...ref, time: at(1), soakMs: 60_000, checks: [soakCheck('p95')] };
const bad = (s: number, overrides: Partial<CheckPolled> = {}) =>
  polled(
    { ...ref, time: at(s), check: 'p95' },
    { ok: false, outcome: 'fail', status: 200, latencyMs: 40, value: { p95: 0.9 }, display: '0.9', condition: 'pass: result < 0.5', ...overrides },
  );
const good = (s: number) =>
  polled({ ...ref, time: at(s), check: 'p95' }, { status: 200, latencyMs: 7, value: { p95: 0.1 }, display: '0.1', condition: 'pass: result < 0.5' });
const failed = (s: number): StageFailed => ({
  type: 'stage.failed',
  ...ref,
  time: at(s),
  reason: 'check p95 failed its soak',
  durationMs: 9000,
  check: 'p95',
  value: null,
});

describe('a webhook message is a function of the event and the reduced document', () => {
  it('the deciding measurement is the document’s lastBad, even when later measurements passed', () => {
    const events = [started, soak, bad(2), good(3), good(4), failed(5)];
    const doc = fold(events);
    const heard = new MeasuredValues();
    for (const event of events) heard.hear(event);
    const payload = notifyPayload(failed(5), doc, heard.detailOf);
    expect(payload).toMatchObject({
      event: 'stage.failed',
      plan: 'shop',
      stage: 'canary',
      // The document's lastBad names the measurement; what the state does not keep of it (its
      // value, its latency) is the measurement's as the notifier heard it.
      check: { name: 'p95', display: '0.9', outcome: 'fail', condition: 'pass: result < 0.5', value: { p95: 0.9 }, status: 200, error: null, latencyMs: 40 },
    });
    expect(payload?.text).toBe('❌ shop: stage canary failed: check p95 failed its soak (deciding value of p95: 0.9)');
  });

  it('a value is quoted only for the measurement the document names: a later bad one of another unit does not replace it', () => {
    const events = [started, soak, bad(2)];
    const doc = fold([...events, failed(5)]);
    const heard = new MeasuredValues();
    for (const event of events) heard.hear(event);
    // The same check name on a target of another stage, later: not this stage's measurement.
    heard.hear({ ...bad(4, { value: 'elsewhere' }), stage: 'other', index: 1 });
    heard.hear({ ...bad(4, { value: 'a target' }), target: 'eu-1' });
    expect(notifyPayload(failed(5), doc, heard.detailOf)?.check?.value).toEqual({ p95: 0.9 });
  });

  it('a command that did not hear the measurements (a resume) still names the deciding check from the document; its value is unknown', () => {
    const doc = fold([started, soak, bad(2, { status: 503, error: { kind: 'status', message: 'HTTP 503' } }), good(3), failed(5)]);
    const payload = notifyPayload(failed(5), doc);
    // Status, error and latency then are the check's last measurement's, as the state keeps them.
    expect(payload?.check).toMatchObject({ name: 'p95', display: '0.9', outcome: 'fail', value: null, status: 200, error: null, latencyMs: 7 });
  });

  it('the error is quoted whole when heard, as the state cut it otherwise', () => {
    const message = `HTTP 503: ${'x'.repeat(200)}`;
    const events = [started, soak, bad(2, { status: 503, error: { kind: 'status', message } }), failed(5)];
    const doc = fold(events);
    const heard = new MeasuredValues();
    for (const event of events) heard.hear(event);
    expect(notifyPayload(failed(5), doc, heard.detailOf)?.check).toMatchObject({ status: 503, error: message });
    const cut = notifyPayload(failed(5), doc)?.check?.error ?? '';
    expect(cut.length).toBeLessThan(message.length);
    expect(message.startsWith(cut.slice(0, -1))).toBe(true);
  });

  it('a 0.1.0 document (measurements in `recent`, with their values) gives the deciding value itself', () => {
    const doc = fold([started, soak, bad(2), failed(5)]);
    const check = doc.stages[0]?.checkResults.checks[0];
    if (!check) throw new Error('no check');
    delete check.last;
    delete check.lastBad;
    check.recent = [
      { at: at(2), outcome: 'fail', value: 0.9, display: '0.9', condition: 'pass: result < 0.5', reason: null },
      { at: at(3), outcome: 'pass', value: 0.1, display: '0.1', condition: 'pass: result < 0.5', reason: null },
    ];
    expect(notifyPayload(failed(5), doc)?.check).toMatchObject({ display: '0.9', outcome: 'fail', value: 0.9 });
  });

  it('no check block when the stage failed without a check, or the named check never measured anything', () => {
    const deployFailed: RolloutEvent = { ...failed(3), reason: 'deploy exited 1', check: null };
    expect(notifyPayload(deployFailed, fold([started, deployFailed]))).not.toHaveProperty('check');
    const unmeasured = fold([started, soak, failed(5)]);
    expect(notifyPayload(failed(5), unmeasured)).not.toHaveProperty('check');
  });

  it('the plan is named as the run’s document names it', () => {
    const doc = fold([started]);
    expect(notifyPayload(started, doc)).toMatchObject({ plan: 'shop', text: '🚀 rollout shop started: canary (run r1)' });
    expect(notifyPayload(soak, doc)).toBeNull();
  });
});
