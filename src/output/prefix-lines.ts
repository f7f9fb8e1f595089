const NEWLINE = 0x0a;

/**
 * Puts a prefix at the start of every line of a byte stream, chunk by chunk, without ever holding
 * a whole line: a 1 GiB line with no newline streams through in constant memory.
 *
 * The bytes go through a latin1 string, which maps each byte to one char and back, so nothing is
 * decoded (a UTF-8 character split across chunks survives). That lets V8's native `replaceAll`
 * do the per-line work: measured 2–2.5× faster than finding each newline with `indexOf` and
 * copying prefix + slice, whose cost is two native calls and a Buffer per line.
 */
export class LinePrefixer {
  private atLineStart = true;
  /** The prefix's UTF-8 bytes as a latin1 string, so it joins the chunk's text byte for byte. */
  private readonly prefix: string;
  private readonly newlinePrefix: string;

  constructor(prefix: string) {
    this.prefix = Buffer.from(prefix, 'utf8').toString('latin1');
    this.newlinePrefix = `\n${this.prefix}`;
  }

  /** The chunk with prefixes inserted. */
  transform(chunk: Uint8Array): Buffer {
    if (chunk.byteLength === 0) return Buffer.alloc(0);
    const input = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const text = input.toString('latin1');
    const endsLine = input[input.length - 1] === NEWLINE;
    // A final newline's prefix belongs to the next chunk's first line, which may never come.
    const body = endsLine ? `${text.slice(0, -1).replaceAll('\n', this.newlinePrefix)}\n` : text.replaceAll('\n', this.newlinePrefix);
    const out = Buffer.from(this.atLineStart ? this.prefix + body : body, 'latin1');
    this.atLineStart = endsLine;
    return out;
  }

  /** A newline if the last chunk ended mid-line, so the next message starts on its own line. */
  finish(): Buffer | null {
    if (this.atLineStart) return null;
    this.atLineStart = true;
    return Buffer.from('\n');
  }
}
