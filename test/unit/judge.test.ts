import { beforeAll, describe, expect, it } from 'vitest';
import type { Measurement } from '../../src/checks/kind.js';
import { loadConditionEngine } from '../../src/conditions/condition.js';
import { judge } from '../../src/engine/judge.js';

beforeAll(loadConditionEngine);

import type { OnNoData } from '../../src/plan/types.js';

const m = (overrides: Partial<Measurement>): Measurement => ({ value: null, display: '?', latencyMs: 1, ...overrides });
const rules = (pass: string | null, fail: string | null = null, onNoData: OnNoData = 'inconclusive') => ({ pass, fail, onNoData });

describe('judging one measurement', () => {
  it.each([
    ['no condition, kind says pass', rules(null), m({ verdict: 'pass' }), 'pass', null],
    ['no condition, kind says fail', rules(null), m({ verdict: 'fail', reason: 'HTTP 503' }), 'fail', null],
    ['no condition, no kind verdict', rules(null), m({ value: 1 }), 'pass', null],
    ['could not measure', rules('result < 1'), m({ error: { kind: 'query', message: 'bad query' } }), 'error', null],
    ['pass holds', rules('result < 0.01'), m({ value: 0.001, display: '0.001' }), 'pass', 'pass: result < 0.01'],
    ['pass does not hold', rules('result < 0.01'), m({ value: 0.034, display: '0.034' }), 'fail', 'pass: result < 0.01'],
    ['fail holds', rules('result < 0.01', 'result >= 0.02'), m({ value: 0.034 }), 'fail', 'fail: result >= 0.02'],
    ['neither holds', rules('result < 0.01', 'result >= 0.02'), m({ value: 0.015 }), 'inconclusive', 'pass: result < 0.01'],
    ['only fail, not met', rules(null, 'result > 5'), m({ value: 1 }), 'pass', 'fail: result > 5'],
    [
      'the kind could not decide (a comparison short of samples), whatever onNoData says',
      rules(null, null, 'pass'),
      m({ verdict: 'inconclusive', noData: true }),
      'inconclusive',
      null,
    ],
    ['kind fail beats a holding condition', rules('true'), m({ verdict: 'fail', reason: 'HTTP 500' }), 'fail', null],
    ['no data → inconclusive', rules('result < 1'), m({ noData: true }), 'inconclusive', null],
    ['no data → fail', rules('result < 1', null, 'fail'), m({ noData: true }), 'fail', null],
    ['no data → pass', rules('result < 1', null, 'pass'), m({ noData: true }), 'pass', null],
    ['no data, no condition, kind passed (a silent command)', rules(null), m({ noData: true, verdict: 'pass' }), 'pass', null],
    ['missing JSON key: could not judge', rules('result.body.ready == true'), m({ value: { body: {} } }), 'error', 'pass: result.body.ready == true'],
    ['a bad regular expression at run time: could not judge', rules('result.matches("[")'), m({ value: 'x' }), 'error', 'pass: result.matches("[")'],
    [
      'a fail: condition that cannot be evaluated: could not judge',
      rules('result < 1', 'result.errors > 0'),
      m({ value: 0.5 }),
      'error',
      'fail: result.errors > 0',
    ],
    ['fail: alone, holding', rules(null, 'result > 5'), m({ value: 9 }), 'fail', 'fail: result > 5'],
    ['NaN alone in a list is no data', rules('result.all(x, x < 1)'), m({ value: [Number.NaN, Number.NaN] }), 'inconclusive', null],
    [
      'JSON condition holds',
      rules('result.body.ready == true && result.latencyMs < 300'),
      m({ value: { body: { ready: true }, latencyMs: 12 } }),
      'pass',
      'pass: result.body.ready == true && result.latencyMs < 300',
    ],
    ['NaN is no data, not a fail of pass:', rules('result < 0.01'), m({ value: Number.NaN }), 'inconclusive', null],
    ['NaN with onNoData: fail', rules('result < 0.01', null, 'fail'), m({ value: Number.NaN }), 'fail', null],
    ['a list', rules('result.all(x, x < 5)'), m({ value: [1, 2, 3] }), 'pass', 'pass: result.all(x, x < 5)'],
  ] as const)('%s', (_, check, measurement, outcome, condition) => {
    const judged = judge(check, measurement);
    expect(judged.outcome).toBe(outcome);
    expect(judged.condition).toBe(condition);
  });

  it('says why, with the value and the condition', () => {
    expect(judge(rules('result < 0.01'), m({ value: 0.034, display: '0.034' })).reason).toBe('0.034 does not meet pass: result < 0.01');
    expect(judge(rules('result < 0.01', 'result >= 0.02'), m({ value: 0.05, display: '0.05' })).reason).toBe('0.05 meets fail: result >= 0.02');
  });
});
