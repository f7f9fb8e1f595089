import { deepMap } from '../deep-map.js';

/**
 * The one rule for text rollout quotes from outside — names from a plan, response bodies, reasons,
 * messages from servers, anything read back from a state file: its control characters are shown,
 * never obeyed. An ESC from a health endpoint's body (`\e]0;title\a\e[2J`) would retitle and clear
 * the terminal of whoever reads the log; written as `\x1b]0;title\x07\x1b[2J` it only says what it was.
 *
 * Escaped as `\xNN` (`\u202e` above 0xff): C0 controls but tab and newline, DEL, the C1 controls
 * (some terminals obey U+009B as CSI) and the bidirectional overrides that can make text read
 * differently from what it is. Idempotent: its output contains none of them.
 *
 * What deploy and rollback commands print is not quoted, it is relayed: their bytes pass through
 * as they are, so the colours of the user's own tools survive (src/output/plain-reporter.ts).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const HAS_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export function escapeControl(text: string): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Every string inside plain objects and arrays escaped; anything else (bytes, numbers) left as it
 * is. What has nothing to escape is returned itself, not copied (deep-map.ts): do not mutate it.
 */
export function escapeControlDeep<T>(value: T): T {
  return deepMap(value, escapeControl) as T;
}

/**
 * A value as JSON (an event, a state document) with its data as it is, yet safe to print on a
 * terminal: JSON.stringify already writes C0 controls as `\u001b`; DEL, the C1 controls and the
 * bidirectional overrides are written as `\uXXXX` too (the same string to any JSON parser).
 */
export function terminalSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
