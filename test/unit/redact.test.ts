import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASK, Redactor, redactorFor, StreamRedactor } from '../../src/secrets/redact.js';

const streamed = (redactor: Redactor, chunks: string[]): string => {
  const stream = new StreamRedactor(redactor);
  return Buffer.concat([...chunks.map((chunk) => stream.push(Buffer.from(chunk))), stream.end()]).toString();
};

describe('Redactor', () => {
  it('masks every occurrence, longer values first', () => {
    const redactor = new Redactor(['hunter22', 'hunter22-admin']);
    expect(redactor.text('a hunter22 b hunter22-admin c')).toBe(`a ${MASK} b ${MASK} c`);
  });

  it('masks strings inside events but leaves numbers and structure alone', () => {
    const redactor = new Redactor(['s3cr3t-value']);
    const event = { type: 'stage.failed', reason: 'saw s3cr3t-value', index: 2, nested: [{ message: 's3cr3t-value' }] };
    expect(redactor.deep(event)).toEqual({ type: 'stage.failed', reason: `saw ${MASK}`, index: 2, nested: [{ message: MASK }] });
  });

  it('leaves values under 4 characters and unset variables alone, and names the short ones', () => {
    const { redactor, tooShort } = redactorFor({ names: ['SHORT', 'EMPTY', 'UNSET', 'LONG'], env: { SHORT: 'abc', EMPTY: '', LONG: 'abcd' } });
    expect(tooShort).toEqual(['secret SHORT']);
    expect(redactor.text('abc abcd')).toBe(`abc ${MASK}`);
  });

  it('masks each line of a multi-line secret', () => {
    const redactor = new Redactor(['line-one\nline-two']);
    expect(redactor.text('x line-two y')).toBe(`x ${MASK} y`);
  });

  it('catches a secret split across chunks, and releases text that cannot be one at once', () => {
    const redactor = new Redactor(['supersecret']);
    const stream = new StreamRedactor(redactor);
    expect(stream.push(Buffer.from('token=sup')).toString()).toBe('token=');
    expect(stream.push(Buffer.from('ersecret!\n')).toString()).toBe(`${MASK}!\n`);
    expect(stream.push(Buffer.from('done s')).toString()).toBe('done ');
    expect(stream.end().toString()).toBe('s');
  });

  it('streams to the same result as redacting the whole text, however it is split', () => {
    const secrets = ['abcab', 'abcabcx', 'bcabc', 'zzzz'];
    const redactor = new Redactor(secrets);
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'x', 'z', '\n', ...secrets), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (whole, cuts) => {
        const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
        const bounds = [0, ...points, whole.length];
        const result = streamed(
          redactor,
          bounds.slice(1).map((end, index) => whole.slice(bounds[index], end)),
        );
        expect(result).toBe(redactor.text(whole));
        if (!whole.includes('abcab') && !whole.includes('bcabc') && !whole.includes('zzzz')) expect(result).toBe(whole);
        expect(result).not.toContain('zzzz');
      }),
      { numRuns: 2000 },
    );
  });
});
