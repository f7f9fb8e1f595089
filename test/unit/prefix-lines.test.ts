import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinePrefixer } from '../../src/output/prefix-lines.js';

/** The obvious definition: a prefix before every byte that starts a line. */
function prefixAll(bytes: Uint8Array, prefix: Buffer): Buffer {
  const out: number[] = [];
  let atLineStart = true;
  for (const byte of bytes) {
    if (atLineStart) out.push(...prefix);
    out.push(byte);
    atLineStart = byte === 0x0a;
  }
  if (!atLineStart) out.push(0x0a);
  return Buffer.from(out);
}

function run(prefixer: LinePrefixer, chunks: Uint8Array[]): Buffer {
  return Buffer.concat([...chunks.map((c) => prefixer.transform(c)), prefixer.finish() ?? Buffer.alloc(0)]);
}

describe('LinePrefixer', () => {
  it('is byte for byte the obvious definition, however the stream is cut', () => {
    // Bytes biased towards newlines and the pieces of multi-byte UTF-8 ("é" is c3 a9); prefixes with non-ASCII.
    const byte = fc.oneof(fc.constant(0x0a), fc.constant(0xc3), fc.constant(0xa9), fc.integer({ min: 0, max: 255 }));
    const chunks = fc.array(fc.array(byte, { maxLength: 40 }), { maxLength: 8 });
    fc.assert(
      fc.property(chunks, fc.constantFrom('> ', 'stage-1 | ', 'ünï 🚀 | ', '\u001b[2mdim | \u001b[22m'), (parts, prefix) => {
        const input = parts.map((p) => Uint8Array.from(p));
        expect(run(new LinePrefixer(prefix), input)).toEqual(prefixAll(Buffer.concat(input), Buffer.from(prefix)));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a UTF-8 character split across chunks intact', () => {
    const bytes = Buffer.from('héllo\nwörld\n');
    const out = run(new LinePrefixer('» '), [bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)]);
    expect(out.toString('utf8')).toBe('» héllo\n» wörld\n');
  });

  it('accepts Uint8Array views that are not Buffers', () => {
    const backing = new Uint8Array(Buffer.from('xxa\nbxx'));
    expect(run(new LinePrefixer('> '), [backing.subarray(2, 5)]).toString()).toBe('> a\n> b\n');
  });
});
