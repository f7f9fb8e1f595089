import { describe, expect, it } from 'vitest';
import { LinePrefixer } from '../../src/output/prefix-lines.js';
import { colorLevel } from '../../src/output/terminal.js';
import { closest } from '../../src/plan/suggest.js';
import { mergeVars, parseVarFlags, varEnvName } from '../../src/plan/vars.js';

describe('closest', () => {
  it('suggests near misses and nothing for far ones', () => {
    expect(closest('soke', ['soak', 'timeout', 'health'])).toBe('soak');
    expect(closest('helth', ['soak', 'health'])).toBe('health');
    expect(closest('failurethreshold', ['failureThreshold', 'interval'])).toBe('failureThreshold');
    expect(closest('banana', ['soak', 'health'])).toBeUndefined();
  });
});

describe('LinePrefixer', () => {
  it('prefixes every line across chunk boundaries', () => {
    const p = new LinePrefixer('> ');
    const out = [p.transform(Buffer.from('one\ntw')), p.transform(Buffer.from('o\n\nthree')), p.finish()].map((b) => b?.toString() ?? '').join('');
    expect(out).toBe('> one\n> two\n> \n> three\n');
  });

  it('adds no newline when the output ended with one', () => {
    const p = new LinePrefixer('> ');
    p.transform(Buffer.from('done\n'));
    expect(p.finish()).toBeNull();
  });
});

describe('vars', () => {
  it('maps names to environment variable names', () => {
    expect(varEnvName('image_tag')).toBe('ROLLOUT_VAR_IMAGE_TAG');
    expect(varEnvName('region.eu-1')).toBe('ROLLOUT_VAR_REGION_EU_1');
  });

  it('keeps --var values verbatim, = signs included', () => {
    expect(parseVarFlags(['a=b=c', 'x=$(touch pwned)', 'empty='])).toEqual({ a: 'b=c', x: '$(touch pwned)', empty: '' });
  });

  it('refuses a malformed --var and an undeclared one, with a hint', () => {
    expect(() => parseVarFlags(['novalue'])).toThrow(/expected NAME=VALUE/);
    expect(() => mergeVars({ image_tag: 'v1' }, { imagetag: 'v2' })).toThrow(/did you mean "image_tag"/);
  });
});

describe('colorLevel', () => {
  it('follows NO_COLOR, then FORCE_COLOR, then the TTY', () => {
    expect(colorLevel({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(0);
    expect(colorLevel({ FORCE_COLOR: '1' }, false)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '0' }, true)).toBe(0);
    expect(colorLevel({}, false)).toBe(0);
    expect(colorLevel({}, true)).toBeGreaterThan(0);
    expect(colorLevel({ TERM: 'dumb' }, true)).toBe(0);
  });
});
