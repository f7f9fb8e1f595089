import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { type CompareSettings, compareCounts, compareDistributions, normaliseCompare } from '../../src/compare/index.js';
import type { RolloutEvent } from '../../src/engine/events.js';
import { MeasuredValues } from '../../src/notify/measured-values.js';
import { notifyPayload } from '../../src/notify/message.js';
import { renderJobSummary } from '../../src/output/job-summary.js';
import { measurementLine } from '../../src/output/measurement.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import { SUMMARY_TEXT_MAX } from '../../src/state/document.js';
import { polled, soakCheck } from '../helpers/checks.js';

const base = { time: '2026-11-25T10:00:00.000Z', runId: 'r', stage: 'canary', index: 0 };
const settings = (raw: Record<string, unknown> = {}): CompareSettings => normaliseCompare({ baseline: 'b', canary: 'c', ...raw } as never, null, () => {});
const counts = (raw: Record<string, unknown> = {}) =>
  settings({ method: 'fisher', baseline: { errors: 'e', total: 't' }, canary: { errors: 'e', total: 't' }, ...raw });
const spread = (centre: number, n: number) => Array.from({ length: n }, (_, i) => centre * (0.9 + (0.2 * i) / n));

describe('a comparison explains itself in a line the state keeps whole', () => {
  it('distributions: both sides’ n, median and p95, the shift with its interval, p against the look’s level, the effect against its bound', () => {
    const verdict = compareDistributions(spread(0.012, 40), spread(0.024, 40), settings(), { index: 3, count: 10 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.display).toMatch(
      /^n=40 med 0\.0239 p95 0\.0\d+ vs n=40 med 0\.012 p95 0\.0\d+; \+0\.012 \(CI 0\.0\d+–0\.0\d+\); p<0\.001≤0\.0024; ratio 2>1\.2$/,
    );
  });

  it('counts: errors and shares of both sides, the difference with its interval, p against the level, the effect against its bound', () => {
    const verdict = compareCounts({ events: 2, total: 2660 }, { events: 7, total: 140 }, counts(), { index: 2, count: 10 });
    expect(verdict.display).toMatch(
      /^errors 7\/140 \(5\.0 %\) vs 2\/2,660 \(0\.075 %\); \+4\.9 % \(CI -?[\d.]+ %–[\d.]+ %\); p<0\.001≤0\.02; diff 4\.9 %>0 %$/,
    );
    const pass = compareCounts({ events: 20, total: 2660 }, { events: 1, total: 140 }, counts(), { index: 2, count: 10 });
    expect(pass.display).toMatch(/; p=1>0\.02; diff -?[\d.]+ %≤0 %$/);
  });

  it('stays within the state’s bound for any numbers (medians go first, then the line is cut)', () => {
    const huge = Array.from({ length: 1000 }, (_, i) => 1.234567e-7 * (1 + i / 1000));
    const verdict = compareDistributions(
      huge,
      huge.map((v) => -v * 1234.5),
      settings({ direction: 'either', effect: { measure: 'cles' } }),
      { index: 300, count: 301 },
    );
    expect(verdict.display.length).toBeLessThanOrEqual(SUMMARY_TEXT_MAX);
    expect(verdict.display).toMatch(/CLES/);
    const many = compareCounts(
      { events: 123_456_789, total: 987_654_321 },
      { events: 98_765_432, total: 123_456_789 },
      counts({ effect: { measure: 'ratio' } }),
      { index: 1, count: 1 },
    );
    expect(many.display.length).toBeLessThanOrEqual(SUMMARY_TEXT_MAX);
  });

  it('the job summary’s cell, the webhook and the terminal show it, and the state keeps it uncut', () => {
    const verdict = compareCounts({ events: 0, total: 950 }, { events: 2, total: 50 }, counts({ minRequests: 20 }), { index: 5, count: 31 });
    const reason = `prometheus check errors failed once: ${verdict.reason}`;
    const doc = initialState({ ...base, type: 'run.started', plan: { name: 'shop', path: '/p', sha256: 'x', vars: {} }, stages: ['canary'] });
    applyEvent(doc, { ...base, type: 'soak.started', soakMs: 30_000, checks: [soakCheck('errors')] });
    const poll = polled(
      { ...base, check: 'errors' },
      {
        ok: false,
        outcome: 'fail',
        value: verdict.detail as never,
        display: verdict.display,
        reason: verdict.reason,
        error: { kind: 'compare', message: verdict.reason },
      },
    );
    applyEvent(doc, poll);
    const failed: RolloutEvent = { ...base, type: 'stage.failed', reason, durationMs: 5, check: 'errors', value: verdict.display };
    applyEvent(doc, failed);
    expect(doc.stages[0]?.checkResults.checks[0]?.lastBad?.display).toBe(verdict.display);
    const summary = renderJobSummary(doc);
    expect(summary).toContain(`errors ❌ ${verdict.display.replaceAll('>', '&gt;')}`);
    // Said once: the reason is the explanation, so no "deciding value" repeats it.
    expect(summary).not.toContain('deciding value');
    const values = new MeasuredValues();
    values.hear(poll);
    const payload = notifyPayload(failed, doc, values.detailOf);
    expect(payload?.text).toBe(`❌ shop: stage canary failed: ${reason}`);
    expect(payload?.check).toMatchObject({ display: verdict.display, value: { pValue: verdict.detail.pValue, level: verdict.detail.level } });
    const pass = compareCounts({ events: 0, total: 950 }, { events: 0, total: 50 }, counts({ minRequests: 20 }), { index: 5, count: 31 });
    expect(measurementLine(polled({ ...base, check: 'errors' }, { display: pass.display }), new Chalk({ level: 0 }))).toContain('p=1>0.02; diff 0 %≤0 %');
  });
});
