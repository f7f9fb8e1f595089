import { PassThrough, Writable } from 'node:stream';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlainReporter } from '../../src/output/plain-reporter.js';
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

  it('reuses an output buffer handed back once written, and only its own', () => {
    const prefixer = new LinePrefixer('> ');
    const first = prefixer.transform(Buffer.from('a\nb\n'));
    expect(first.toString()).toBe('> a\n> b\n');
    prefixer.recycle(first);
    prefixer.recycle(Buffer.alloc(200_000));
    const second = prefixer.transform(Buffer.from('c\n'));
    expect(second.buffer).toBe(first.buffer);
    expect(second.toString()).toBe('> c\n');
    // The stranger was not kept: with the one spare taken, the next buffer is new.
    expect(prefixer.transform(Buffer.from('d\n')).buffer).not.toBe(first.buffer);
  });
});

describe('command output through the plain reporter', () => {
  it('reuses no buffer a JavaScript stream may still hold: what it was given stays what was printed', async () => {
    // This stream keeps every chunk it is given and calls back at once, as a PassThrough with a reader behind does.
    const held: Buffer[] = [];
    const err = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        held.push(chunk);
        callback();
      },
    });
    const term = { out: new PassThrough(), err, isTTY: false, isCI: true, color: new Chalk({ level: 0 }) };
    const reporter = new PlainReporter({ term, clock: { now: () => 0, sleep: async () => undefined } });
    const base = { time: '2026-11-25T10:00:00.000Z', runId: 'r', stage: 'canary', phase: 'deploy' as const, stream: 'stdout' as const };
    for (const line of ['one', 'two', 'three']) {
      await reporter.handle({ ...base, type: 'command.output', chunk: Buffer.from(`${line}\n`) });
      // Let the write callbacks run before the next chunk arrives, as they do between pipe reads.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(held.map(String)).toEqual(['canary | one\n', 'canary | two\n', 'canary | three\n']);
    reporter.close();
  });
});
