import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolloutEvent } from '../../src/engine/events.js';
import { escapeData, escapeProperty, formatOutputs } from '../../src/output/github-commands.js';
import { PlainReporter } from '../../src/output/plain-reporter.js';
import { detectMs } from '../../src/plan/timeline.js';
import type { HttpCheck } from '../../src/plan/types.js';

describe('plain-mode heartbeat', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says how a soak is going at least every 30 s by default', () => {
    vi.useFakeTimers();
    const err = new PassThrough();
    let text = '';
    err.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    let now = Date.parse('2026-11-24T10:00:00.000Z');
    const term = { out: new PassThrough(), err, isTTY: false, isCI: true, color: new Chalk({ level: 0 }) };
    const reporter = new PlainReporter({ term, clock: { now: () => now, sleep: async () => undefined } });
    const base = { time: new Date(now).toISOString(), runId: 'r', stage: 'canary', index: 0 };
    const events: RolloutEvent[] = [
      { ...base, type: 'run.started', plan: { name: 'p', path: '/p', sha256: 'x', vars: {} }, stages: ['canary'] },
      { ...base, type: 'soak.started', soakMs: 600_000, checks: [{ name: 'hz', url: 'http://x', intervalMs: 5000, failureThreshold: 3 }] },
      { ...base, type: 'check.polled', check: 'hz', ok: true, status: 200, latencyMs: 12, error: null, polls: 1, failures: 0, consecutiveFailures: 0 },
    ];
    for (const event of events) reporter.handle(event);
    text = '';
    now += 30_000;
    vi.advanceTimersByTime(30_000);
    expect(text).toMatch(/canary soaking: 9m30s left · hz ✓ 200 12ms \(1 ok, 0 failed\)/);
    reporter.close();
  });
});

describe('GitHub workflow commands', () => {
  it('escapes messages and properties as the runner expects', () => {
    expect(escapeData('50% down\nnext')).toBe('50%25 down%0Anext');
    expect(escapeProperty('stage a: b, c')).toBe('stage a%3A b%2C c');
  });

  it('writes outputs in the multiline-safe form', () => {
    const text = formatOutputs({ reason: 'line one\nline two' });
    const [head, ...rest] = text.split('\n');
    const delimiter = head?.split('<<')[1];
    expect(head?.startsWith('reason<<ghadelimiter_')).toBe(true);
    expect(rest).toEqual(['line one', 'line two', delimiter, '']);
  });
});

describe('worst-case detection time', () => {
  const check = (intervalMs: number, timeoutMs: number, failureThreshold: number): HttpCheck => ({
    kind: 'http',
    name: 'c',
    url: 'http://x',
    displayUrl: 'http://x',
    expectStatus: null,
    headers: {},
    ca: null,
    insecure: false,
    proxy: null,
    intervalMs,
    timeoutMs,
    failureThreshold,
  });

  it('is threshold × interval + poll timeout when polls fit their interval', () => {
    expect(detectMs(check(5000, 2000, 3))).toBe(17_000);
    expect(detectMs(check(1000, 1000, 1))).toBe(2000);
  });

  it('accounts for slow polls pushing the schedule to the next free slot', () => {
    // Polls at 2s, then every 6s (a 5s timeout skips two 2s slots): 2 + 6 + 6 + 5.
    expect(detectMs(check(2000, 5000, 3))).toBe(19_000);
  });
});
