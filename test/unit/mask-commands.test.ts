import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MaskCommandReader, unescapeMaskValue } from '../../src/secrets/mask-commands.js';

/** Reads `chunks` as one stream: the bytes relayed, and the mask values in order. */
function read(chunks: string[]): { text: string; masks: string[] } {
  const reader = new MaskCommandReader();
  const pieces = [...chunks.flatMap((chunk) => reader.push(Buffer.from(chunk))), ...reader.end()];
  return { text: Buffer.concat(pieces.map((p) => p.text)).toString(), masks: pieces.flatMap((p) => (p.mask === undefined ? [] : [p.mask])) };
}

/** The same, line by line, as the runner reads a log. */
function masksOf(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const trimmed = line.replace(/^[ \t]+/, '');
    return trimmed.startsWith('::add-mask::') ? [trimmed.slice('::add-mask::'.length).replace(/\r$/, '')] : [];
  });
}

describe("a deploy's ::add-mask:: lines", () => {
  it('are found at a line start only (blanks before allowed, as the runner trims), whole, with CRLF and without a last newline', () => {
    expect(read(['a\n::add-mask::one\r\nx ::add-mask::two\n  ::add-mask::three\n::add-mask::four'])).toEqual({
      text: 'a\n::add-mask::one\r\nx ::add-mask::two\n  ::add-mask::three\n::add-mask::four',
      masks: ['one', 'three', 'four'],
    });
  });

  it('hold back a line that may become one, and release it once it cannot', () => {
    const reader = new MaskCommandReader();
    expect(reader.push(Buffer.from('ok\n::add-'))).toEqual([{ text: Buffer.from('ok\n') }]);
    expect(reader.push(Buffer.from('mask::se'))).toEqual([]);
    const done = reader.push(Buffer.from('cret\nnext'));
    expect(done.map((p) => [p.text.toString(), p.mask])).toEqual([
      ['::add-mask::secret\n', 'secret'],
      ['next', undefined],
    ]);
    // `next::add-mask::x` is one line, and no mask; the line after it is.
    expect(reader.push(Buffer.from('::add-mask::x\n::add-mask::y\n')).map((p) => [p.text.toString(), p.mask])).toEqual([
      ['::add-mask::x\n', undefined],
      ['::add-mask::y\n', 'y'],
    ]);
    expect(read(['::add', '-nothing\n']).masks).toEqual([]);
  });

  it('relay every byte, and find what the runner finds, however the output is split', () => {
    const part = fc.constantFrom('::add-mask::', '::add-', 'mask::', 'value', '\n', '\r\n', ' ', '\t', 'x::add-mask::y', '%0A');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 6 }), (parts, cuts) => {
        const text = parts.join('');
        const at = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i) => text.slice(from, at[i] ?? text.length));
        const seen = read(chunks);
        expect(seen.text).toBe(text);
        expect(seen.masks).toEqual(masksOf(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('unescape values as the runner does', () => {
    expect(unescapeMaskValue('pa%0Ass%25word%0D')).toBe('pa\nss%word\r');
  });
});
