import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { RolloutEvent } from '../../src/engine/events.js';
import { MeasuredValues } from '../../src/notify/measured-values.js';
import { notifyPayload } from '../../src/notify/message.js';
import { renderJobSummary } from '../../src/output/job-summary.js';
import { measurementLine } from '../../src/output/measurement.js';
import { SoakStatus } from '../../src/output/soak-status.js';
import { planTimeline } from '../../src/plan/timeline.js';
import type { Plan } from '../../src/plan/types.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import { lastMeasurement, SUMMARY_TEXT_MAX } from '../../src/state/document.js';
import { polled, soakCheck, testCheck } from '../helpers/checks.js';

const c = new Chalk({ level: 0 });
const base = { time: '2026-11-25T10:00:00.000Z', runId: 'r', stage: 'canary', index: 0 };

describe('what people see of a measurement', () => {
  it('a condition’s verdict reads `error-rate 0.034 ✗ (pass: result < 0.01)`', () => {
    const event = polled(
      { ...base, check: 'error-rate' },
      { ok: false, outcome: 'fail', value: 0.034, display: '0.034', condition: 'pass: result < 0.01', consecutiveFailures: 1, failures: 1 },
    );
    expect(measurementLine(event, c, 3)).toBe('error-rate 0.034 ✗ (pass: result < 0.01) (1 of 3 in a row)');
    expect(measurementLine({ ...event, outcome: 'inconclusive', consecutiveFailures: 0 }, c)).toBe('error-rate 0.034 ? (pass: result < 0.01)');
    const error = polled({ ...base, check: 'q' }, { ok: false, outcome: 'error', reason: 'server down', consecutiveErrors: 2 });
    expect(measurementLine(error, c)).toBe('! q: server down (could not measure, 2 in a row)');
  });

  it('a stage without checks never says it waits for a healthy answer', () => {
    const status = new SoakStatus({ ...base, type: 'soak.started', soakMs: 1000, checks: [] }, 0);
    expect(status.describe(5000, c)).toBe('soak over');
    const withChecks = new SoakStatus({ ...base, type: 'soak.started', soakMs: 1000, checks: [soakCheck('hz')] }, 0);
    expect(withChecks.describe(5000, c)).toMatch(/^soak over; waiting for the checks to settle/);
  });

  it('the state keeps per-check counts, the last and the last bad measurement, without values, in bounded text', () => {
    const doc = initialState({ ...base, type: 'run.started', plan: { name: 'p', path: '/p', sha256: 'x', vars: {} }, stages: ['canary'] });
    applyEvent(doc, { ...base, type: 'soak.started', soakMs: 1000, checks: [soakCheck('m')] });
    for (let i = 0; i < 50; i++)
      applyEvent(doc, polled({ ...base, check: 'm' }, { value: i, display: String(i), counts: { pass: i + 1, fail: 0, inconclusive: 0, error: 0 } }));
    applyEvent(doc, { ...base, type: 'check.finished', check: 'm', verdict: 'pass', reason: null, dryRun: false, samples: 50 });
    const check = doc.stages[0]?.checkResults.checks[0];
    expect(check).toMatchObject({ verdict: 'pass', counts: { pass: 50 }, last: { display: '49', outcome: 'pass' }, lastBad: null });
    expect(check?.last).not.toHaveProperty('value');
    // A big value (an HTTP body) and a long reason stay in the event log; the state keeps a bounded summary.
    applyEvent(
      doc,
      polled({ ...base, check: 'm' }, { ok: false, outcome: 'fail', value: { body: 'x'.repeat(5000) }, display: 'y'.repeat(5000), reason: 'z'.repeat(5000) }),
    );
    expect(check?.lastBad).toEqual(check?.last);
    expect(check?.last?.display).toHaveLength(SUMMARY_TEXT_MAX);
    expect(check?.last?.reason?.endsWith('…')).toBe(true);
    expect(JSON.stringify(check).length).toBeLessThan(1024);
  });

  it('a 0.1.0 document’s `recent` list still gives the last measurement, and is replaced once the check polls again', () => {
    const doc = initialState({ ...base, type: 'run.started', plan: { name: 'p', path: '/p', sha256: 'x', vars: {} }, stages: ['canary'] });
    applyEvent(doc, { ...base, type: 'soak.started', soakMs: 1000, checks: [soakCheck('m')] });
    const check = doc.stages[0]?.checkResults.checks[0];
    if (!check) throw new Error('no check');
    delete check.last;
    check.recent = [{ at: base.time, outcome: 'pass', value: 1, display: 'old', condition: null, reason: null }];
    expect(lastMeasurement(check)?.display).toBe('old');
    applyEvent(doc, polled({ ...base, check: 'm' }, { display: 'new' }));
    expect(lastMeasurement(check)?.display).toBe('new');
    expect(check.recent).toBeUndefined();
  });

  it('the GitHub summary and the webhook carry the deciding value', () => {
    const failed: RolloutEvent = {
      ...base,
      type: 'stage.failed',
      reason: 'check quiet was inconclusive: no data (onInconclusive: fail)',
      durationMs: 5,
      check: 'error-rate',
      value: '0.034',
    };
    const last = polled({ ...base, check: 'error-rate' }, { ok: false, outcome: 'fail', value: 0.034, display: '0.034', condition: 'pass: result < 0.01' });
    // The webhook reads the document the run's events fold into; only the value is the event log's.
    const doc = initialState({ ...base, type: 'run.started', plan: { name: 'shop', path: '/p', sha256: 'x', vars: {} }, stages: ['canary'] });
    const values = new MeasuredValues();
    const soak: RolloutEvent = { ...base, type: 'soak.started', soakMs: 1000, checks: [soakCheck('error-rate')] };
    for (const event of [soak, last, failed]) {
      applyEvent(doc, event);
      values.hear(event);
    }
    const payload = notifyPayload(failed, doc, values.detailOf);
    expect(payload?.text).toContain('(deciding value of error-rate: 0.034)');
    expect(payload?.check).toMatchObject({ name: 'error-rate', value: 0.034, display: '0.034', condition: 'pass: result < 0.01' });

    expect(renderJobSummary(doc)).toContain('(deciding value of error-rate: 0.034)');
  });
});

describe('rollout plan’s detection bound', () => {
  const plan = (stages: [string, ReturnType<typeof testCheck>[]][]): Plan =>
    ({
      stages: stages.map(([name, health], index) => ({
        name,
        index,
        deploy: 'true',
        rollback: null,
        soakMs: 60_000,
        timeoutMs: 1000,
        checks: health,
        fleet: null,
      })),
    }) as unknown as Plan;

  it('warns when a stage only watches an entry point every stage watches', () => {
    const shared = { entryPoint: 'https://shop.example/healthz' };
    const timeline = planTimeline(
      plan([
        ['canary', [testCheck('public', shared)]],
        ['full', [testCheck('public', shared), testCheck('direct', { entryPoint: 'http://canary:8080/healthz' })]],
      ]),
    );
    expect(timeline.stages.map((s) => s.sharedEntryPoint)).toEqual(['https://shop.example/healthz', null]);
  });

  it('counts initialDelay and maxFailures, and leaves dryRun checks out', () => {
    const [stage] = planTimeline(
      plan([
        [
          'canary',
          [
            testCheck('slow-start', { initialDelayMs: 30_000, intervalMs: 1000, timeoutMs: 500, failureThreshold: 3 }),
            testCheck('tolerant', { maxFailures: 0, failureThreshold: 5, intervalMs: 1000, timeoutMs: 500 }),
            testCheck('trial', { dryRun: true }),
          ],
        ],
      ]),
    ).stages;
    expect(stage?.checks).toMatchObject([
      { name: 'slow-start', detectMs: 30_000 + 2 * 1000 + 500, dryRun: false },
      { name: 'tolerant', detectMs: 1000 + 500, dryRun: false },
      { name: 'trial', detectMs: null, dryRun: true },
    ]);
    expect(stage?.slowestCheck).toBe('slow-start');
  });

  it('counts the measurements each check gets by the end of its soak, its last instant included, and warns when minSamples cannot be reached or leaves no margin', () => {
    const soak = (soakMs: number, health: ReturnType<typeof testCheck>[]) =>
      planTimeline({
        stages: [{ name: 'canary', index: 0, deploy: 'true', rollback: null, soakMs, timeoutMs: 1000, checks: health, fleet: null }],
      } as unknown as Plan).stages[0]?.checks;
    // 8 s soak at 1 s after a 5 s delay: at 5, 6, 7 and 8 s.
    const [margin, none, never, dry] =
      soak(8000, [
        testCheck('margin', { initialDelayMs: 5000, intervalMs: 1000, minSamples: 3 }),
        testCheck('none', { initialDelayMs: 5000, intervalMs: 1000, minSamples: 4 }),
        testCheck('never', { initialDelayMs: 5000, intervalMs: 1000, minSamples: 5 }),
        testCheck('dry', { initialDelayMs: 5000, intervalMs: 1000, minSamples: 5, dryRun: true }),
      ]) ?? [];
    expect(margin).toMatchObject({ measurements: 4, warnings: [] });
    expect(none?.warnings).toEqual([
      'minSamples 4 leaves no margin: by the end of its 8.0s soak it gets 4 measurements (first after 5.0s, then every 1.0s); one no-data or in-between reading makes it inconclusive',
    ]);
    expect(never?.warnings).toEqual([
      'minSamples 5 cannot be reached: by the end of its 8.0s soak it gets 4 measurements (first after 5.0s, then every 1.0s), so it is always inconclusive',
    ]);
    expect(dry).toMatchObject({ measurements: 4, warnings: [] });
    expect(soak(0, [testCheck('once')])?.[0]?.measurements).toBe(1);
  });
});
