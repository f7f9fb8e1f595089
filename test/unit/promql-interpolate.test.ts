import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolatePromql } from '../../src/checks/prometheus/promql.js';

const vars: Record<string, string> = { version: 'v2', window: '5m', evil: '"} or vector(1) or {x="', slash: 'a\\', quote: "it's", tick: 'a`b', nl: 'a\nb' };
const lookup = (scope: string, name: string) => (scope === 'vars' ? vars[name] : scope === 'stage' && name === 'name' ? 'canary' : undefined);

function fill(query: string) {
  const problems: string[] = [];
  const text = interpolatePromql(query, lookup, (message) => problems.push(message));
  return { text, problems };
}

describe('vars in a PromQL query', () => {
  it.each([
    ['rate(x{version="${vars.version}"}[${vars.window}])', 'rate(x{version="v2"}[5m])'],
    ['x{stage="${stage.name}"}', 'x{stage="canary"}'],
    ['x{v="${vars.evil}"}', 'x{v="\\"} or vector(1) or {x=\\""}'],
    ['x{v="${vars.slash}"}', 'x{v="a\\\\"}'],
    ["x{v='${vars.quote}'}", "x{v='it\\'s'}"],
    ['x{v="${vars.quote}"}', 'x{v="it\'s"}'],
    ['x{v="${vars.nl}"}', 'x{v="a\\nb"}'],
    ['x{v="a\\"${vars.version}"}', 'x{v="a\\"v2"}'],
    ['x # ${vars.evil} in a comment stays as written\n', 'x # ${vars.evil} in a comment stays as written\n'],
  ])('%s → %s', (query, expected) => {
    expect(fill(query)).toEqual({ text: expected, problems: [] });
  });

  it('refuses a value outside a string literal that is not a plain token', () => {
    const { problems } = fill('x[${vars.evil}]');
    expect(problems).toEqual([expect.stringMatching(/\$\{vars\.evil\} is used outside a string literal.*put it inside "…"/)]);
  });

  it('refuses a backtick in a raw string', () => {
    expect(fill('x{v=`${vars.tick}`}').problems).toEqual([expect.stringMatching(/backtick/)]);
  });

  it('names what is missing', () => {
    expect(fill('x{v="${vars.nope}",s="${stage.colour}",t="${env.ROLLOUT_TEST_UNSET}"}').problems).toEqual([
      '${vars.nope}: the plan declares no var "nope"',
      expect.stringMatching(/^\$\{stage\.colour\}: unknown/),
      '${env.ROLLOUT_TEST_UNSET}: environment variable ROLLOUT_TEST_UNSET is not set',
    ]);
  });

  it('no value can close the label matcher it is put in (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const text = interpolatePromql(
          'x{v="${vars.v}"}',
          (scope, name) => (scope === 'vars' && name === 'v' ? value : undefined),
          () => undefined,
        );
        // Walk the literal as PromQL's lexer does: it must end exactly at the last quote.
        let i = 'x{v="'.length;
        while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
        return text.slice(i) === '"}';
      }),
      { numRuns: 200 },
    );
  });
});
