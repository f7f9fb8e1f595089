import { TextDecoder } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandOutput } from '../../src/engine/events.js';
import { MAX_LINE_CHARS, OutputTails, TAIL_LINES } from '../../src/report/output-tail.js';
import type { OutputLine } from '../../src/report/records.js';

/**
 * OutputTails skips decoding the lines of a chunk that cannot be kept (those with TAIL_LINES
 * complete lines after them in the same chunk). Skipped or not, the tail must be what decoding
 * every line gives: this reference is the straightforward version it replaced.
 */
class ReferenceTail {
  lines: OutputLine[] = [];
  dropped = 0;
  private partial = { stdout: '', stderr: '' };
  private decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  push(stream: 'stdout' | 'stderr', chunk: Uint8Array): void {
    const parts = (this.partial[stream] + this.decoders[stream].decode(chunk, { stream: true })).split('\n');
    this.partial[stream] = (parts.pop() ?? '').slice(-MAX_LINE_CHARS * 4);
    for (const part of parts.slice(-TAIL_LINES)) this.add(stream, part);
    this.dropped += Math.max(0, parts.length - TAIL_LINES);
  }

  take(): { lines: OutputLine[]; droppedLines: number } | null {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].decode();
      if (rest !== '') this.add(stream, rest);
    }
    return this.lines.length === 0 ? null : { lines: this.lines, droppedLines: this.dropped };
  }

  private add(stream: 'stdout' | 'stderr', raw: string): void {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what we remove
    const text = (raw.replace(/\r$/, '').split('\r').pop() ?? '').replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g, '');
    this.lines.push({ stream, text: text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text });
    if (this.lines.length > TAIL_LINES) {
      this.lines.shift();
      this.dropped++;
    }
  }
}

const output = (stream: 'stdout' | 'stderr', chunk: Uint8Array): CommandOutput => ({
  type: 'command.output',
  time: '2026-11-25T10:00:00.000Z',
  runId: 'r',
  stage: 'canary',
  phase: 'deploy',
  stream,
  chunk,
});

/** Output made of what trips line handling up: multi-byte characters, CR redraws, colour codes, long lines, bare newlines. */
const piece = fc.oneof(
  fc.constantFrom('\n', '\n\n', 'é', '€', '😀', '\r', '\r\n', '\x1b[31m', '\x1b[0m', 'done\n', 'x'.repeat(MAX_LINE_CHARS + 3)),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: 1, max: 200 }).map((n) => 'line\n'.repeat(n)),
);
/** The output's bytes cut at arbitrary offsets (through UTF-8 characters too), each piece on stdout or stderr. */
const chunked = fc
  .tuple(fc.array(piece, { maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom('stdout' as const, 'stderr' as const)), { maxLength: 30 }))
  .map(([pieces, cuts]) => {
    const bytes = Buffer.from(pieces.join(''));
    const offsets = [...new Set(cuts.map(([at]) => at % (bytes.length + 1)))].sort((a, b) => a - b);
    const chunks: { stream: 'stdout' | 'stderr'; chunk: Uint8Array }[] = [];
    let start = 0;
    offsets.forEach((end, i) => {
      if (end > start) chunks.push({ stream: cuts[i]?.[1] ?? 'stdout', chunk: bytes.subarray(start, end) });
      start = Math.max(start, end);
    });
    if (start < bytes.length) chunks.push({ stream: 'stdout', chunk: new Uint8Array(bytes.subarray(start)) });
    return chunks;
  });

describe('OutputTails', () => {
  it('keeps exactly what decoding every line keeps, however the output is cut into chunks', () => {
    fc.assert(
      fc.property(chunked, (chunks) => {
        const tails = new OutputTails();
        const reference = new ReferenceTail();
        for (const { stream, chunk } of chunks) {
          tails.push(output(stream, chunk));
          reference.push(stream, chunk);
        }
        expect(tails.take('canary', null, 'deploy')).toEqual(reference.take());
      }),
      { numRuns: 400 },
    );
  });

  it('counts the lines of a large chunk it does not decode', () => {
    const tails = new OutputTails();
    const text = Array.from({ length: 10_000 }, (_, i) => `line ${i}\n`).join('');
    tails.push(output('stdout', Buffer.from(`partial before ${'é'.repeat(3)}`)));
    tails.push(output('stdout', Buffer.from(text)));
    const tail = tails.take('canary', null, 'deploy');
    expect(tail?.lines.map((l) => l.text)).toEqual(Array.from({ length: TAIL_LINES }, (_, i) => `line ${10_000 - TAIL_LINES + i}`));
    expect(tail?.droppedLines).toBe(10_000 - TAIL_LINES);
  });
});
