import { describe, expect, it } from 'vitest';
import type { Measurement } from '../../src/checks/kind.js';
import type { EngineDeps } from '../../src/engine/deps.js';
import type { CheckPolled, RolloutEvent } from '../../src/engine/events.js';
import { soakStage } from '../../src/engine/soak.js';
import type { Check, Stage } from '../../src/plan/types.js';
import { testCheck } from '../helpers/checks.js';
import { VirtualClock } from './virtual-clock.js';

const check = testCheck;

const stage = (soakMs: number, health: Check[]): Stage => ({
  name: 's',
  index: 0,
  deploy: 'true',
  rollback: null,
  soakMs,
  timeoutMs: 1000,
  checks: health,
  pauseMs: 0,
  approval: null,
  fleet: null,
});

/** A poller whose answer is decided by the check name and the virtual time of the poll. */
function harness(healthy: (check: string, atMs: number) => boolean, pollLatencyMs = 10) {
  const clock = new VirtualClock();
  const events: RolloutEvent[] = [];
  const deps: EngineDeps = {
    runId: 'r',
    clock,
    env: {},
    exec: async () => ({ exitCode: 0, signal: null, timedOut: false, aborted: false }),
    measure: async (c, _stage, signal): Promise<Measurement> => {
      const at = clock.now();
      await clock.sleep(pollLatencyMs, signal);
      const ok = healthy(c.name, at);
      return ok
        ? { value: { status: 200 }, display: 'HTTP 200', verdict: 'pass', detail: { status: 200 }, latencyMs: pollLatencyMs }
        : {
            value: { status: 503 },
            display: 'HTTP 503',
            verdict: 'fail',
            reason: 'HTTP 503',
            reasonKind: 'status',
            detail: { status: 503 },
            latencyMs: pollLatencyMs,
          };
    },
    emit: (event) => {
      events.push(event);
    },
    signal: new AbortController().signal,
    hardSignal: new AbortController().signal,
    randomHex: () => '00',
  };
  const emit = (e: object) => {
    events.push({ ...e, time: new Date(clock.now()).toISOString(), runId: 'r' } as RolloutEvent);
  };
  const polls = () => events.filter((e): e is CheckPolled => e.type === 'check.polled');
  return { clock, deps, emit, polls };
}

describe('soakStage', () => {
  it('polls on the interval schedule and passes when the soak is over', async () => {
    const h = harness(() => true);
    const outcome = await h.clock.runUntilSettled(soakStage(stage(10_000, [check('a')]), h.deps, h.emit));
    expect(outcome).toEqual({ kind: 'passed', inconclusive: [] });
    expect(h.clock.now()).toBe(10_010);
    // Polls at 0, 1s, 2s … 10s: the schedule is start + k × interval, not "after the last poll", and
    // the soak's last instant is measured too.
    expect(h.polls().map((p) => Date.parse(p.time) - 10)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
  });

  it('fails the moment a check reaches its failure threshold, without waiting out the soak', async () => {
    const h = harness((_, at) => at < 3000);
    const outcome = await h.clock.runUntilSettled(soakStage(stage(600_000, [check('a', { failureThreshold: 2 })]), h.deps, h.emit));
    expect(outcome).toEqual({ kind: 'failed', reason: 'http check a failed 2 times in a row: HTTP 503', check: 'a', value: 'HTTP 503' });
    // Failed polls at 3s and 4s: the decision comes with the second one's answer.
    expect(h.clock.now()).toBe(4010);
  });

  it('resets the count on a healthy poll: failures must be consecutive', async () => {
    const pattern = [false, false, true, false, false, true, false, false, true, true];
    const h = harness((_, at) => pattern[Math.floor(at / 1000)] ?? true);
    const outcome = await h.clock.runUntilSettled(soakStage(stage(10_000, [check('a', { failureThreshold: 3 })]), h.deps, h.emit));
    expect(outcome.kind).toBe('passed');
    expect(Math.max(...h.polls().map((p) => p.consecutiveFailures))).toBe(2);
  });

  it('stops the other checks when one fails', async () => {
    const h = harness((name) => name !== 'bad');
    const outcome = await h.clock.runUntilSettled(
      soakStage(stage(60_000, [check('good'), check('bad', { intervalMs: 100, failureThreshold: 2 })]), h.deps, h.emit),
    );
    expect(outcome).toMatchObject({ kind: 'failed' });
    // bad (the second check: it starts with good, first measurements are spread in groups of ten)
    // fails at 0 and 100, +10ms latency; good polled once at 0 and is not polled again.
    expect(h.clock.now()).toBe(110);
    expect(h.polls().filter((p) => p.check === 'good')).toHaveLength(1);
  });

  it('with a soak of 0 passes as soon as every check has answered healthy once', async () => {
    const h = harness((name, at) => name === 'a' || at >= 2000);
    const outcome = await h.clock.runUntilSettled(soakStage(stage(0, [check('a'), check('b', { failureThreshold: 5 })]), h.deps, h.emit));
    expect(outcome).toEqual({ kind: 'passed', inconclusive: [] });
    expect(h.polls().filter((p) => p.check === 'a')).toHaveLength(1);
    expect(
      h
        .polls()
        .filter((p) => p.check === 'b')
        .map((p) => p.ok),
    ).toEqual([false, false, true]);
  });

  it('never passes on a check that has not answered healthy, even after the soak', async () => {
    const h = harness(() => false);
    const outcome = await h.clock.runUntilSettled(soakStage(stage(500, [check('a', { failureThreshold: 4 })]), h.deps, h.emit));
    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(h.polls()).toHaveLength(4);
  });

  it('skips missed slots instead of bursting when a poll is slower than the interval', async () => {
    const h = harness(() => true, 2500);
    await h.clock.runUntilSettled(soakStage(stage(10_000, [check('a')]), h.deps, h.emit));
    const starts = h.polls().map((p) => Date.parse(p.time) - 2500);
    expect(starts).toEqual([0, 3000, 6000, 9000]);
  });

  it('without checks, just waits out the soak', async () => {
    const h = harness(() => true);
    const outcome = await h.clock.runUntilSettled(soakStage(stage(45_000, []), h.deps, h.emit));
    expect(outcome).toEqual({ kind: 'passed', inconclusive: [] });
    expect(h.clock.now()).toBe(45_000);
  });

  it("counts a check's first wait from when it starts waiting, not from the soak's start", async () => {
    // Setting up a thousand checks takes real time: a first wait of `slot - start` set up 7 ms late
    // makes the first measurement 7 ms late. Here the clock reads 0 at the soak's start, 7 after.
    const interrupt = new AbortController();
    let reads = 0;
    const waits: number[] = [];
    const clock = {
      now: () => (reads++ === 0 ? 0 : 7),
      sleep: (ms: number, signal?: AbortSignal) => {
        waits.push(ms);
        return new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      },
    };
    const h = harness(() => true);
    const deps: EngineDeps = {
      ...h.deps,
      clock,
      signal: interrupt.signal,
      measure: (_c, _s, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ value: null, display: '', latencyMs: 0 }))),
    };
    // 20 checks at 1 s: ten start at once (0 ms), ten 10 ms later (first measurements go in groups of ten).
    const checks = Array.from({ length: 20 }, (_, i) => check(`c${i}`));
    const soaking = soakStage(stage(10_000, checks), deps, h.emit);
    await new Promise((resolve) => setImmediate(resolve));
    interrupt.abort('SIGTERM');
    expect(await soaking).toEqual({ kind: 'interrupted' });
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(3));
  });

  it('reports an interrupt (SIGINT/SIGTERM) as interrupted, not passed or failed', async () => {
    const interrupt = new AbortController();
    const h = harness((_, at) => {
      if (at >= 5000) interrupt.abort('SIGTERM');
      return true;
    });
    const promise = soakStage(stage(60_000, [check('a')]), { ...h.deps, signal: interrupt.signal }, h.emit);
    expect(await h.clock.runUntilSettled(promise)).toEqual({ kind: 'interrupted' });
    // The abort comes with the answer of the poll started at 5s; nothing runs after it.
    expect(h.clock.now()).toBe(5010);
  });
});
