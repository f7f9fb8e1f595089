import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileCondition, evaluateCondition, loadConditionEngine } from '../../src/conditions/condition.js';

beforeAll(loadConditionEngine);

describe('conditions (CEL)', () => {
  it.each([
    ['result < 0.01', 0.001, true],
    ['result < 300', 12, true],
    ['result >= 1', 0, false],
    ['result == "ok"', 'ok', true],
    ['result', true, true],
    ['result.status == 200 && result.body.ready', { status: 200, body: { ready: true } }, true],
    ['"p95" in result.body && result.body.p95 < 200', { body: { p95: 395 } }, false],
    ['size(result) == 2 && result[1] > 3', [1, 4], true],
    ['result.exists(x, x > 0.05)', [0.01, 0.06], true],
    ['result.headers["content-type"].startsWith("application/json")', { headers: { 'content-type': 'application/json; charset=utf-8' } }, true],
    ['result < 1', Number.POSITIVE_INFINITY, false],
  ] as const)('%s on %j is %s', (text, value, holds) => {
    expect(compileCondition(text)).toEqual({ ok: true });
    expect(evaluateCondition(text, value)).toEqual({ ok: true, holds });
  });

  it.each([
    ['result <', 'Unexpected token: EOF', 8],
    ['reslt < 1', 'Unknown variable: reslt', 0],
    ['result < 1 &&', 'Unexpected token: EOF', 13],
    ['process.exit(1)', 'Unknown variable: process', 0],
  ])('refuses %s at compile time: %s at character %i', (text, message, offset) => {
    expect(compileCondition(text)).toEqual({ ok: false, message, offset });
  });

  it('refuses a condition that is not true or false', () => {
    expect(compileCondition('1 + 2')).toMatchObject({ ok: false, message: expect.stringMatching(/must be true or false, but this gives a int/) });
    expect(compileCondition('  ')).toMatchObject({ ok: false });
  });

  it.each([
    'result.constructor',
    'result.__proto__',
    'result["__proto__"]',
    'result.hasOwnProperty("a")',
    'result.toString() == ""',
    'result.constructor.constructor("return process")()',
  ])('never reaches the prototype: %s', (text) => {
    const compiled = compileCondition(text);
    if (!compiled.ok) return;
    const evaluated = evaluateCondition(text, { a: 1 });
    expect(evaluated.ok === false || evaluated.holds === false).toBe(true);
  });

  it('survives hostile expressions: never throws, never pollutes, always answers true/false or an error', () => {
    const token = fc.constantFrom(
      'result',
      '.',
      '[',
      ']',
      '(',
      ')',
      '"__proto__"',
      '__proto__',
      'constructor',
      'prototype',
      'this',
      'globalThis',
      'process',
      '"',
      "'",
      '\\',
      '+',
      '*',
      '==',
      '<',
      '&&',
      '||',
      '!',
      '?',
      ':',
      'size',
      'all',
      'exists',
      'map',
      'filter',
      'x',
      ',',
      '1',
      '0.5',
      '1e308',
      '-',
      'true',
      'null',
      '{',
      '}',
      'dyn',
      'type',
      'int',
      'string',
      'matches',
      '"(a+)+$"',
      'has',
      '`',
      '${',
      '\n',
      ' ',
    );
    const expression = fc.oneof(
      fc.array(token, { maxLength: 40 }).map((t) => t.join('')),
      fc.string({ maxLength: 200 }),
    );
    const value = fc.oneof(fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.jsonValue(), fc.array(fc.double(), { maxLength: 5 }));
    fc.assert(
      fc.property(expression, value, (text, v) => {
        const compiled = compileCondition(text);
        const evaluated = evaluateCondition(text, v);
        if (compiled.ok && evaluated.ok) expect(typeof evaluated.holds).toBe('boolean');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
      }),
      { numRuns: 3000 },
    );
  });

  it('bounds nesting and size', () => {
    expect(compileCondition(`${'('.repeat(500)}true${')'.repeat(500)}`).ok).toBe(false);
    expect(compileCondition(`result == ${'1 + '.repeat(1000)}1`).ok).toBe(false);
  });
});
