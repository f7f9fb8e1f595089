const NEWLINE = 0x0a;

/**
 * Puts a prefix at the start of every line of a byte stream, chunk by chunk, without ever holding
 * a whole line: a 1 GiB line with no newline streams through in constant memory.
 */
export class LinePrefixer {
  private atLineStart = true;
  private readonly prefix: Buffer;

  constructor(prefix: string) {
    this.prefix = Buffer.from(prefix);
  }

  /** The chunk with prefixes inserted. */
  transform(chunk: Uint8Array): Buffer {
    const input = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const parts: Buffer[] = [];
    let start = 0;
    while (start < input.length) {
      if (this.atLineStart) parts.push(this.prefix);
      const newline = input.indexOf(NEWLINE, start);
      const end = newline === -1 ? input.length : newline + 1;
      parts.push(input.subarray(start, end));
      this.atLineStart = newline !== -1;
      start = end;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /** A newline if the last chunk ended mid-line, so the next message starts on its own line. */
  finish(): Buffer | null {
    if (this.atLineStart) return null;
    this.atLineStart = true;
    return Buffer.from('\n');
  }
}
