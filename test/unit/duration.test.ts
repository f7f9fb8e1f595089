import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, formatDuration, parseDuration } from '../../src/plan/duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['90', 90_000],
    [' 2m ', 120_000],
    [0, 0],
    [2.5, 2500],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'ms', '5 seconds', '5x', '-1', '1s1m', '5m5m', '1m 30s', 'abc'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('rejects negative and non-finite numbers', () => {
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('agrees with the pattern published in schema.json', () => {
    const pattern = new RegExp(DURATION_PATTERN);
    for (const text of ['250ms', '1m30s', '2h30m', '90', '1.5', '1s1m', '5m5m', 'ms', '5 seconds', '1m 30s', '']) {
      expect(pattern.test(text), text).toBe(parseDuration(text) !== undefined);
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [1234, '1.2s'],
    [12_300, '12s'],
    [245_000, '4m05s'],
    [300_000, '5m'],
    [3_720_000, '1h02m'],
    // Truncated like the [mm:ss] clock prefix, never rounded up past it.
    [9_960, '9.9s'],
    [59_600, '59s'],
    [119_700, '1m59s'],
    [3_599_900, '59m59s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
