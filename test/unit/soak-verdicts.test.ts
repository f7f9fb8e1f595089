import { beforeAll, describe, expect, it } from 'vitest';
import type { Measurement } from '../../src/checks/kind.js';
import { loadConditionEngine } from '../../src/conditions/condition.js';
import type { EngineDeps } from '../../src/engine/deps.js';
import type { CheckFinished, CheckPolled, RolloutEvent } from '../../src/engine/events.js';
import { soakStage } from '../../src/engine/soak.js';
import type { Check, OnInconclusive, Stage } from '../../src/plan/types.js';
import { testCheck } from '../helpers/checks.js';
import { VirtualClock } from './virtual-clock.js';

beforeAll(loadConditionEngine);

type Answer = 'P' | 'F' | 'E' | 'N' | number; // pass, fail, could not measure, no data, a measured number

/** A stage whose checks answer from a script: the nth measurement of a check gets script[n] (then the last one). */
async function soak(soakMs: number, checks: [Check, Answer[]][], onInconclusive: OnInconclusive = 'fail') {
  const clock = new VirtualClock();
  const events: RolloutEvent[] = [];
  const counts = new Map<string, number>();
  const scripts = new Map(checks.map(([c, script]) => [c.name, script]));
  const deps: EngineDeps = {
    runId: 'r',
    clock,
    env: {},
    exec: async () => ({ exitCode: 0, signal: null, timedOut: false, aborted: false }),
    measure: async (c, _stage, signal): Promise<Measurement> => {
      const n = counts.get(c.name) ?? 0;
      counts.set(c.name, n + 1);
      await clock.sleep(10, signal);
      const script = scripts.get(c.name) ?? [];
      const answer = script[Math.min(n, script.length - 1)] ?? 'P';
      if (typeof answer === 'number') return { value: answer, display: String(answer), latencyMs: 10 };
      if (answer === 'E') return { value: null, display: 'server down', error: { kind: 'query', message: 'server down' }, latencyMs: 10 };
      if (answer === 'N') return { value: null, display: 'no data', noData: true, latencyMs: 10 };
      return { value: null, display: answer, verdict: answer === 'P' ? 'pass' : 'fail', reason: 'bad', latencyMs: 10 };
    },
    emit: () => undefined,
    signal: new AbortController().signal,
    hardSignal: new AbortController().signal,
    randomHex: () => '00',
  };
  const emit = (e: object) => {
    events.push({ ...e, time: new Date(clock.now()).toISOString(), runId: 'r' } as RolloutEvent);
  };
  const stage: Stage = {
    name: 's',
    index: 0,
    deploy: 'true',
    rollback: null,
    soakMs,
    timeoutMs: 1000,
    checks: checks.map(([c]) => c),
    pauseMs: 0,
    approval: null,
    fleet: null,
  };
  const outcome = await clock.runUntilSettled(soakStage(stage, deps, emit, { onInconclusive }));
  const polls = events.filter((e): e is CheckPolled => e.type === 'check.polled');
  const finished = events.filter((e): e is CheckFinished => e.type === 'check.finished');
  return { outcome, polls, finished, clock };
}

describe('soak verdicts on the virtual clock', () => {
  it('initialDelay: no measurement before it, counted from the start of the soak', async () => {
    const { polls } = await soak(5000, [[testCheck('m', { initialDelayMs: 3000 }), ['P']]]);
    // 3 s, 4 s and the soak's last instant, 5 s.
    expect(polls.map((p) => Date.parse(p.time) - 10)).toEqual([3000, 4000, 5000]);
  });

  it('dryRun: a failing check is measured and reported but never fails the stage', async () => {
    const { outcome, polls, finished } = await soak(5000, [
      [testCheck('new', { dryRun: true, failureThreshold: 2 }), ['F']],
      [testCheck('old'), ['P']],
    ]);
    expect(outcome).toEqual({ kind: 'passed', inconclusive: [] });
    expect(polls.filter((p) => p.check === 'new').every((p) => p.dryRun && p.outcome === 'fail')).toBe(true);
    expect(finished.find((f) => f.check === 'new')).toMatchObject({ verdict: 'fail', dryRun: true });
  });

  it('maxFailures: tolerates N fails over the soak and fails the stage on fail N+1', async () => {
    const { outcome, polls } = await soak(60_000, [[testCheck('flaky', { maxFailures: 2, failureThreshold: 10 }), ['F', 'P', 'F', 'P', 'F', 'P']]]);
    expect(outcome).toMatchObject({ kind: 'failed', check: 'flaky', reason: 'http check flaky failed 3 times (maxFailures: 2): bad' });
    expect(polls).toHaveLength(5);
  });

  it('maxConsecutiveErrors: could not measure, after the limit, is a stage failure that says so, not a canary failure', async () => {
    const { outcome, polls } = await soak(60_000, [[testCheck('metric', { pass: 'result < 1' }), ['E']]]);
    expect(outcome).toMatchObject({ kind: 'failed', reason: 'could not measure http check metric (4 times in a row): server down' });
    expect(polls.map((p) => p.outcome)).toEqual(['error', 'error', 'error', 'error']);
    expect(polls.at(-1)?.consecutiveErrors).toBe(4);
  });

  it('measures at the soak end: an 8 s soak at 1 s after a 5 s delay gives 4 measurements, so minSamples: 3 has a margin', async () => {
    const { outcome, polls } = await soak(8000, [[testCheck('m', { initialDelayMs: 5000, minSamples: 3, pass: 'result < 1' }), [0.5, 'N', 0.5, 0.5]]]);
    expect(polls.map((p) => Date.parse(p.time) - 10)).toEqual([5000, 6000, 7000, 8000]);
    expect(outcome).toEqual({ kind: 'passed', inconclusive: [] });
  });

  it('every check gets the measurement at the soak end, whatever its 1 ms spread offset', async () => {
    const { polls } = await soak(3000, [
      [testCheck('a', { intervalMs: 1000 }), ['P']],
      [testCheck('b', { intervalMs: 1000 }), ['P']],
      [testCheck('c', { intervalMs: 1000 }), ['P']],
    ]);
    for (const name of ['a', 'b', 'c']) expect(polls.filter((p) => p.check === name)).toHaveLength(4);
  });

  it('a NaN (a ratio whose stable side had no traffic) is no data, never a fail of a pass:-only condition', async () => {
    const { outcome, polls } = await soak(5000, [[testCheck('ratio', { pass: 'result <= 1.5', failureThreshold: 1 }), [Number.NaN, 1.1]]]);
    expect(polls[0]).toMatchObject({ outcome: 'inconclusive', reason: 'no data (NaN) (onNoData: inconclusive)' });
    expect(outcome).toEqual({ kind: 'passed', inconclusive: [] });
  });

  it('a condition that fails at run time is an error of the check (could not judge), not a canary failure', async () => {
    const { outcome, polls } = await soak(60_000, [[testCheck('re', { pass: 'string(result).matches("[")', failureThreshold: 1 }), [0.5]]]);
    expect(polls.map((p) => p.outcome)).toEqual(['error', 'error', 'error', 'error']);
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(
        /^could not judge http check re \(4 times in a row\): pass: string\(result\)\.matches\("\["\) cannot be evaluated on 0\.5: /,
      ),
    });
  });

  it('errors that clear do not fail the stage', async () => {
    const { outcome } = await soak(10_000, [[testCheck('metric', { pass: 'result < 1' }), ['E', 'E', 'E', 0.5]]]);
    expect(outcome).toEqual({ kind: 'passed', inconclusive: [] });
  });

  it('a condition decides: the value, the outcome and the condition are on the event', async () => {
    const { outcome, polls } = await soak(60_000, [[testCheck('error-rate', { pass: 'result < 0.01', failureThreshold: 2 }), [0.001, 0.034, 0.05]]]);
    expect(outcome).toMatchObject({ kind: 'failed', check: 'error-rate', value: '0.05' });
    expect(polls.map((p) => [p.value, p.outcome, p.condition])).toEqual([
      [0.001, 'pass', 'pass: result < 0.01'],
      [0.034, 'fail', 'pass: result < 0.01'],
      [0.05, 'fail', 'pass: result < 0.01'],
    ]);
  });

  it.each([
    [
      'fail',
      {
        kind: 'failed',
        check: 'quiet',
        reason: 'check quiet was inconclusive: 0 of 1 decisive measurement (minSamples); last: no data (onNoData: inconclusive) (onInconclusive: fail)',
      },
    ],
    ['pass', { kind: 'passed', inconclusive: ['quiet'] }],
  ] as const)('no data all soak long is inconclusive; onInconclusive: %s decides', async (policy, expected) => {
    const { outcome, finished } = await soak(3000, [[testCheck('quiet', { pass: 'result < 0.01' }), ['N']]], policy);
    expect(outcome).toMatchObject(expected);
    expect(finished).toMatchObject([{ check: 'quiet', verdict: 'inconclusive' }]);
  });

  it.each([
    ['fail', 'failed'],
    ['pass', 'passed'],
  ] as const)('onNoData: %s turns no data into a %s stage', async (onNoData, kind) => {
    const { outcome } = await soak(3000, [[testCheck('quiet', { pass: 'result < 0.01', onNoData, failureThreshold: 2 }), ['N']]]);
    expect(outcome.kind).toBe(kind);
  });

  it('minSamples: too few decisive measurements by the end of the soak is inconclusive', async () => {
    const { outcome } = await soak(2500, [[testCheck('slow', { minSamples: 5 }), ['P']]]);
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^check slow was inconclusive: 3 of 5 decisive measurements/) });
  });

  it('a failed check fails the stage at once even when another is inconclusive', async () => {
    const { outcome, clock } = await soak(60_000, [
      [testCheck('quiet', { pass: 'result < 1' }), ['N']],
      [testCheck('broken', { failureThreshold: 1 }), ['P', 'F']],
    ]);
    expect(outcome).toMatchObject({ kind: 'failed', check: 'broken' });
    expect(clock.now()).toBeLessThan(2000);
  });

  it('pass and fail both given: in between is inconclusive, and does not break or extend a fail run', async () => {
    const { polls, outcome } = await soak(60_000, [[testCheck('band', { pass: 'result < 0.01', fail: 'result >= 0.02' }), [0.03, 0.015, 0.03, 0.03]]]);
    expect(polls.map((p) => p.outcome)).toEqual(['fail', 'inconclusive', 'fail', 'fail']);
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/failed 3 times in a row: 0.03 meets fail: result >= 0.02/) });
  });
});
