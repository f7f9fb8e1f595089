import { beforeAll, describe, expect, it } from 'vitest';
import { presentationOf } from '../../src/checks/presentation.js';
import { boundsOf } from '../../src/conditions/bounds.js';
import { loadConditionEngine } from '../../src/conditions/condition.js';
import { plotValue } from '../../src/report/check-series.js';
import { conditionText, thresholdOf as thresholdOfBounds } from '../../src/report/threshold.js';

/** A condition as the plan carries it to the chart: its bounds read from the compiled tree. */
const thresholdOf = (pass: string | null, fail: string | null) =>
  thresholdOfBounds(pass === null ? null : { bounds: boundsOf(pass) }, fail === null ? null : { bounds: boundsOf(fail) });

beforeAll(loadConditionEngine);

describe('report thresholds: read from plain conditions, nothing guessed from richer ones', () => {
  it.each([
    // pass, fail → path, lines, failing ranges
    ['result < 0.01', null, [], [0.01], [[0.01, null]]],
    ['result <= 250', null, [], [250], [[250, null]]],
    [null, 'result > 0.05', [], [0.05], [[0.05, null]]],
    ['result.latencyMs < 300', null, ['latencyMs'], [300], [[300, null]]],
    ['0.99 <= result', null, [], [0.99], [[null, 0.99]]],
    [
      'result > 1 && result < 5',
      null,
      [],
      [1, 5],
      [
        [null, 1],
        [5, null],
      ],
    ],
    [
      '(result > 1) && (result < 5)',
      null,
      [],
      [1, 5],
      [
        [null, 1],
        [5, null],
      ],
    ],
    [
      null,
      'result < 10 || result > 90',
      [],
      [10, 90],
      [
        [null, 10],
        [90, null],
      ],
    ],
    ['result < 100', 'result > 500', [], [100, 500], [[500, null]]],
    ['result >= 1e3', null, [], [1000], [[null, 1000]]],
    [null, 'result < -5', [], [-5], [[null, -5]]],
    ['result > 1 && result < 5 && result != 3', null, null, null, null],
  ] as const)('pass %s / fail %s', (pass, fail, path, lines, bad) => {
    expect(thresholdOf(pass, fail)).toEqual(path === null ? null : { path, lines, bad, unsure: expect.any(Array) });
  });

  it('reads the compiled tree, not the text: a comparison inside a string is no bound', () => {
    expect(boundsOf('result.name == "result < 5"')).toBeNull();
    expect(boundsOf('result.a.b < 2 || result.a.b > 8')).toEqual({
      path: ['a', 'b'],
      join: 'or',
      clauses: [
        { op: '<', number: 2 },
        { op: '>', number: 8 },
      ],
    });
  });

  it('shades where neither condition holds as inconclusive', () => {
    expect(thresholdOf('result < 0.01', 'result >= 0.02')).toEqual({ path: [], lines: [0.01, 0.02], bad: [[0.02, null]], unsure: [[0.01, 0.02]] });
    expect(thresholdOf('result < 0.01', null)?.unsure).toEqual([]);
  });

  it.each([
    ['result == 200', null],
    ['result.status < 500 && result.latencyMs < 300', null],
    ['result < 1 && result > 0 || result > 5', null],
    ['size(result) > 0', null],
    ['result < 0.01', 'result.errors > 3'],
    [null, null],
  ])('no threshold for %s / %s', (pass, fail) => {
    expect(thresholdOf(pass, fail)).toBeNull();
  });

  it('reads the contract’s labelled condition', () => {
    expect(conditionText('fail: result > 3')).toEqual({ which: 'fail', text: 'result > 3' });
    expect(conditionText('result > 3')).toEqual({ which: null, text: 'result > 3' });
  });

  it.each([
    [0.5, [], 0.5],
    [true, [], 1],
    ['0.25', [], 0.25],
    ['NaN', [], null],
    ['+Inf', [], null],
    [[0.1, 0.7, 0.3], [], 0.7],
    [{ latencyMs: 42, status: 200 }, presentationOf('http').plot, 42],
    [{ latencyMs: 42, status: 200 }, [], null],
    [{ a: { b: 7 } }, ['a', 'b'], 7],
    [{ a: 1 }, ['__proto__'], null],
    [null, [], null],
    ['ok', [], null],
  ] as const)('plots %j at %j as %s', (value, path, expected) => {
    expect(plotValue(value, [...path])).toBe(expected);
  });
});
