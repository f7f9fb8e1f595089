import { deepMap } from '../deep-map.js';
import { secretVars } from './secret-name.js';

/** What a secret value is replaced with, everywhere the tool writes. */
export const MASK = '***';
/**
 * Values shorter than this are not redacted: masking every `a` or `12` would garble the log
 * while hiding nothing (a 3-character secret is guessable anyway). `redactorFor` reports them.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * Replaces secret values with `***` in text, bytes and event-shaped data. Built once per run from
 * the plan's `secrets:` names and the environment; longer values win over values they contain.
 */
export class Redactor {
  private unique = new Set<string>();
  private sorted: readonly string[] = [];
  private bytes: readonly Buffer[] = [];
  private readonly mask = Buffer.from(MASK);

  constructor(values: Iterable<string>) {
    this.add(...values);
  }

  /** The values masked, longest first. */
  get values(): readonly string[] {
    return this.sorted;
  }

  /** More values, from then on (a deploy's own `::add-mask::` under GitHub Actions). */
  add(...values: string[]): void {
    for (const value of values) {
      if (value.length >= MIN_SECRET_LENGTH) this.unique.add(value);
      // A multi-line secret may be printed one line at a time: mask its lines too.
      for (const line of value.split(/\r?\n/)) if (line.length >= MIN_SECRET_LENGTH) this.unique.add(line);
    }
    this.sorted = [...this.unique].sort((a, b) => b.length - a.length);
    this.bytes = this.sorted.map((value) => Buffer.from(value));
  }

  get active(): boolean {
    return this.values.length > 0;
  }

  /** Longest secret in bytes: how much of a stream must be held back to catch a split value. */
  get maxBytes(): number {
    return this.bytes[0]?.length ?? 0;
  }

  text(text: string): string {
    if (!this.active || !this.values.some((value) => text.includes(value))) return text;
    // The same leftmost-longest scan as for streams, so both agree on overlapping values.
    return this.buffer(Buffer.from(text)).toString();
  }

  /**
   * Strings anywhere inside plain objects and arrays; bytes are redacted as bytes. What holds no
   * secret is returned itself, not copied (deep-map.ts): do not mutate it.
   */
  deep<T>(value: T): T {
    if (!this.active) return value;
    return deepMap(
      value,
      (text) => this.text(text),
      (bytes) => this.buffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    ) as T;
  }

  /** Redacts every complete occurrence in `buf`. */
  buffer(buf: Buffer): Buffer {
    return this.scan(buf, true).out;
  }

  /**
   * Replaces every occurrence in `buf`. Unless `final`, it stops at the first point from which the
   * rest could still grow into a secret (a proper prefix of one): `rest` is where that begins, and
   * those bytes must be held back until more arrive. Anything else is released at once, so output
   * is only ever delayed by a possible secret's first bytes.
   */
  scan(buf: Buffer, final: boolean): { out: Buffer; rest: number } {
    const parts: Buffer[] = [];
    let i = 0;
    for (;;) {
      let best = -1;
      let bestLength = 0;
      for (const secret of this.bytes) {
        const at = buf.indexOf(secret, i);
        if (at !== -1 && (best === -1 || at < best || (at === best && secret.length > bestLength))) {
          best = at;
          bestLength = secret.length;
        }
      }
      if (best === -1) break;
      const partialBefore = final ? -1 : this.partialFrom(buf, i, best + 1);
      if (partialBefore !== -1) break;
      parts.push(buf.subarray(i, best), this.mask);
      i = best + bestLength;
    }
    const rest = final ? buf.length : this.partialStart(buf, i);
    parts.push(buf.subarray(i, rest));
    return { out: Buffer.concat(parts), rest };
  }

  /** First position in [from, to) where the rest of `buf` is a proper prefix of a secret; -1 if none. */
  private partialFrom(buf: Buffer, from: number, to: number): number {
    const start = Math.max(from, buf.length - this.maxBytes + 1);
    for (let k = start; k < Math.min(to, buf.length); k++) {
      const tail = buf.subarray(k);
      if (this.bytes.some((secret) => secret.length > tail.length && secret.subarray(0, tail.length).equals(tail))) return k;
    }
    return -1;
  }

  private partialStart(buf: Buffer, from: number): number {
    const at = this.partialFrom(buf, from, buf.length);
    return at === -1 ? buf.length : at;
  }
}

/**
 * Redacts a stream that arrives in chunks: holds back a chunk's last bytes while they could be the
 * start of a secret, so a secret split across two chunks is still caught. `end()` releases them.
 */
export class StreamRedactor {
  private tail: Buffer = Buffer.alloc(0);

  constructor(private readonly redactor: Redactor) {}

  push(chunk: Uint8Array): Buffer {
    const buf = this.tail.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.tail, chunk]);
    const { out, rest } = this.redactor.scan(buf, false);
    this.tail = Buffer.from(buf.subarray(rest));
    return out;
  }

  end(): Buffer {
    const out = this.redactor.buffer(this.tail);
    this.tail = Buffer.alloc(0);
    return out;
  }
}

export interface SecretSource {
  /** Names from the plan's `secrets:` list. */
  names: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** The plan's effective vars: those whose names look secret are secrets too (secret-name.ts). */
  vars?: Readonly<Record<string, string>>;
}

/** The run's redactor, and what is too short to redact (worth a warning): `secret X`, `var x`. */
export function redactorFor(source: SecretSource): { redactor: Redactor; tooShort: string[] } {
  const values: string[] = [];
  const tooShort: string[] = [];
  const named: [string, string | undefined][] = [
    ...source.names.map((name): [string, string | undefined] => [`secret ${name}`, source.env[name]]),
    ...secretVars(source.vars ?? {}).map(([name, value]): [string, string] => [`var ${name}`, value]),
  ];
  for (const [what, value] of named) {
    if (value === undefined || value === '') continue;
    if (value.length < MIN_SECRET_LENGTH) tooShort.push(what);
    else values.push(value);
  }
  return { redactor: new Redactor(values), tooShort };
}
