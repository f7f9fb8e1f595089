import { TextDecoder } from 'node:util';
import type { CommandOutput, Phase } from '../engine/events.js';
import type { OutputLine } from './records.js';

/** Lines kept per command: enough to see why it failed, small enough to keep the log bounded. */
export const TAIL_LINES = 40;
/** Longer lines are cut: one minified blob must not fill the report. */
export const MAX_LINE_CHARS = 400;
const NEWLINE = 0x0a;

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what we remove
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g;

interface Pending {
  lines: OutputLine[];
  dropped: number;
  partial: { stdout: string; stderr: string };
  decoders: { stdout: TextDecoder; stderr: TextDecoder };
}

/**
 * Keeps the last TAIL_LINES lines of each running command's output (stdout and stderr
 * interleaved as they arrived), free of colour codes and carriage-return redraws.
 */
export class OutputTails {
  private readonly pending = new Map<string, Pending>();

  push(event: CommandOutput): void {
    const key = keyOf(event.stage, event.target ?? null, event.phase);
    let tail = this.pending.get(key);
    if (!tail) {
      tail = { lines: [], dropped: 0, partial: { stdout: '', stderr: '' }, decoders: { stdout: new TextDecoder(), stderr: new TextDecoder() } };
      this.pending.set(key, tail);
    }
    let chunk = Buffer.isBuffer(event.chunk) ? event.chunk : Buffer.from(event.chunk.buffer, event.chunk.byteOffset, event.chunk.byteLength);
    const cut = startOfLastLines(chunk);
    if (cut > 0) {
      // Lines ending before `cut` have TAIL_LINES complete lines after them in this very chunk: none
      // can be kept, so they are counted, never decoded (a deploy printing 1 GiB must not cost a
      // UTF-8 decode and a split of every line). `cut` follows a newline, where no UTF-8 character
      // can be pending, so the stream starts afresh there.
      tail.dropped += countNewlines(chunk, cut);
      tail.partial[event.stream] = '';
      tail.decoders[event.stream] = new TextDecoder();
      chunk = chunk.subarray(cut);
    }
    const text = tail.partial[event.stream] + tail.decoders[event.stream].decode(chunk, { stream: true });
    const parts = text.split('\n');
    // Only a bounded partial line is held: a command printing no newline cannot grow it without end.
    tail.partial[event.stream] = (parts.pop() ?? '').slice(-MAX_LINE_CHARS * 4);
    for (const part of parts.slice(-TAIL_LINES)) add(tail, event.stream, part);
    tail.dropped += Math.max(0, parts.length - TAIL_LINES);
  }

  /** The command's tail, or null if it printed nothing; forgets it. Commands of a fleet's targets run at once: each target has its own. */
  take(stage: string | null, target: string | null, phase: Phase): { lines: OutputLine[]; droppedLines: number } | null {
    const key = keyOf(stage, target, phase);
    const tail = this.pending.get(key);
    this.pending.delete(key);
    if (!tail) return null;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = tail.partial[stream] + tail.decoders[stream].decode();
      if (rest !== '') add(tail, stream, rest);
    }
    return tail.lines.length === 0 ? null : { lines: tail.lines, droppedLines: tail.dropped };
  }

  /** Commands still holding output (the run was interrupted mid-command). */
  keys(): { stage: string | null; target: string | null; phase: Phase }[] {
    return [...this.pending.keys()].map((key) => JSON.parse(key) as { stage: string | null; target: string | null; phase: Phase });
  }
}

/** Where the last TAIL_LINES complete lines of `chunk` begin (just after the newline before them), or 0 if it has fewer. */
function startOfLastLines(chunk: Buffer): number {
  let at = chunk.byteLength;
  for (let seen = 0; seen <= TAIL_LINES; seen++) {
    at = chunk.lastIndexOf(NEWLINE, at - 1);
    if (at <= 0) return 0;
  }
  return at + 1;
}

/** Newlines in chunk[0, end): Buffer's native byte search (3× a Uint8Array's), one call per line, no strings. */
function countNewlines(chunk: Buffer, end: number): number {
  let count = 0;
  for (let at = chunk.indexOf(NEWLINE); at !== -1 && at < end; at = chunk.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

function keyOf(stage: string | null, target: string | null, phase: Phase): string {
  return JSON.stringify({ stage, target, phase });
}

function add(tail: Pending, stream: OutputLine['stream'], raw: string): void {
  const redrawn = raw.replace(/\r$/, '').split('\r').pop() ?? '';
  const text = redrawn.replace(ANSI, '');
  tail.lines.push({ stream, text: text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text });
  if (tail.lines.length > TAIL_LINES) {
    tail.lines.shift();
    tail.dropped++;
  }
}
