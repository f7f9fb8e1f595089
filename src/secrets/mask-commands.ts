/** A GitHub Actions workflow command that masks a value: `::add-mask::VALUE` at the start of a line (blanks before it allowed). */
const PREFIX = Buffer.from('::add-mask::');
const NEWLINE = 0x0a;
/** A longer line is relayed as it is, never held: output must not pile up waiting for a newline. */
const MAX_LINE = 64 * 1024;

export interface OutputPiece {
  text: Buffer;
  /** Set when `text` is a complete `::add-mask::` line: the value as written (still %-escaped). */
  mask?: string;
}

/**
 * Finds the `::add-mask::VALUE` lines a deploy command prints, in its output stream chunk by chunk,
 * so rollout can honour them (src/secrets/redact-events.ts): the value joins the redaction before
 * the line, or anything after it, is written anywhere. Splits each chunk into pieces, the mask lines
 * on their own; a line that is or may still become a mask command is held back until its newline
 * (up to 64 KiB), so no part of a value is released before rollout knows it is one.
 */
export class MaskCommandReader {
  private held: Buffer = Buffer.alloc(0);
  private atLineStart = true;

  push(chunk: Uint8Array): OutputPiece[] {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buf = this.held.length > 0 ? Buffer.concat([this.held, input]) : input;
    this.held = Buffer.alloc(0);
    const pieces: OutputPiece[] = [];
    let emitted = 0;
    for (let from = 0; ; ) {
      const at = buf.indexOf(PREFIX, from);
      if (at === -1) break;
      from = at + 1;
      const start = lineStart(buf, at, this.atLineStart);
      if (start === -1 || start < emitted) continue;
      const newline = buf.indexOf(NEWLINE, at + PREFIX.length);
      if (newline === -1) {
        if (buf.length - start > MAX_LINE) continue;
        return this.hold(buf, emitted, start, pieces);
      }
      pieces.push({ text: buf.subarray(emitted, start) }, { text: buf.subarray(start, newline + 1), mask: maskValue(buf, at, newline) });
      emitted = newline + 1;
      from = emitted;
    }
    // The last line may be the start of one (`::add-`, or blanks so far): hold it until it can be told apart.
    const lastLine = buf.lastIndexOf(NEWLINE) + 1;
    const last = lastLine > 0 || this.atLineStart ? lastLine : -1;
    if (last >= emitted && last < buf.length && buf.length - last <= MAX_LINE) {
      let text = last;
      while (text < buf.length && isBlank(buf[text])) text++;
      const rest = buf.length - text;
      if (rest < PREFIX.length && PREFIX.subarray(0, rest).equals(buf.subarray(text))) return this.hold(buf, emitted, last, pieces);
    }
    pieces.push({ text: buf.subarray(emitted) });
    this.atLineStart = buf.length === 0 ? this.atLineStart : buf[buf.length - 1] === NEWLINE;
    return pieces.filter((piece) => piece.text.length > 0 || piece.mask !== undefined);
  }

  /** What is held when the command's output ends: a last mask line without its newline counts. */
  end(): OutputPiece[] {
    const held = this.held;
    this.held = Buffer.alloc(0);
    this.atLineStart = true;
    if (held.length === 0) return [];
    let at = 0;
    while (at < held.length && isBlank(held[at])) at++;
    if (held.length - at >= PREFIX.length && held.subarray(at, at + PREFIX.length).equals(PREFIX))
      return [{ text: held, mask: maskValue(held, at, held.length) }];
    return [{ text: held }];
  }

  private hold(buf: Buffer, emitted: number, from: number, pieces: OutputPiece[]): OutputPiece[] {
    this.held = Buffer.from(buf.subarray(from));
    this.atLineStart = true;
    pieces.push({ text: buf.subarray(emitted, from) });
    return pieces.filter((piece) => piece.text.length > 0 || piece.mask !== undefined);
  }
}

/** Blanks before a command are ignored, as the runner trims a line before reading it. */
function isBlank(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09;
}

/** Where the line holding `at` starts, if only blanks precede `at` on it; -1 otherwise. */
function lineStart(buf: Buffer, at: number, streamAtLineStart: boolean): number {
  let start = at;
  while (start > 0 && isBlank(buf[start - 1])) start--;
  if (start === 0) return streamAtLineStart ? 0 : -1;
  return buf[start - 1] === NEWLINE ? start : -1;
}

function maskValue(buf: Buffer, at: number, end: number): string {
  return buf.toString('utf8', at + PREFIX.length, end).replace(/\r$/, '');
}

/** A mask command's value as the runner reads it (the inverse of @actions/core's escaping). */
export function unescapeMaskValue(escaped: string): string {
  return escaped.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}
