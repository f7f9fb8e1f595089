/**
 * Fills `${vars.X}`, `${args.X}`, `${stage.name}` and `${env.X}` into a PromQL query, escaped for where each one
 * lands: inside a "…" or '…' string literal as that literal's escapes (a `"` or `\` in a value cannot
 * end the string and add a matcher); in a `…` raw string, which has no escapes, a value holding a
 * backtick is refused; outside any string (a range like `[${vars.window}]`), only a plain token
 * (letters, digits, `_ : .`) is allowed, so a value can never add PromQL of its own.
 */
export type Lookup = (scope: string, name: string) => string | undefined;

const PLACEHOLDER = /^\$\{\s*(vars|env|stage|args|target)\.([A-Za-z_][A-Za-z0-9_.-]*)\s*\}/;
const TOKEN = /^[A-Za-z0-9_:.]*$/;

export function interpolatePromql(query: string, lookup: Lookup, report: (message: string) => void): string {
  let out = '';
  let quote: string | null = null;
  let comment = false;
  for (let i = 0; i < query.length; i++) {
    const ch = query[i] as string;
    const placeholder = ch === '$' && !comment ? PLACEHOLDER.exec(query.slice(i)) : null;
    if (placeholder) {
      const [whole, scope, name] = placeholder as unknown as [string, string, string];
      const value = lookup(scope, name);
      if (value === undefined) {
        report(missing(whole, scope, name));
        out += whole;
      } else out += escapeFor(quote, value, whole, report);
      i += whole.length - 1;
      continue;
    }
    out += ch;
    if (comment) {
      if (ch === '\n') comment = false;
    } else if (quote !== null) {
      if (ch === '\\' && quote !== '`') {
        out += query[i + 1] ?? '';
        i++;
      } else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '#') comment = true;
  }
  return out;
}

/** `value` as the inside of a PromQL string literal opened with `quote` (Go's escapes, which PromQL uses). */
export function escapePromqlString(value: string, quote: '"' | "'" = '"'): string {
  let out = '';
  for (const ch of value) {
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\u007f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

function escapeFor(quote: string | null, value: string, whole: string, report: (message: string) => void): string {
  if (quote === '"' || quote === "'") return escapePromqlString(value, quote);
  if (quote === '`') {
    if (value.includes('`')) report(`${whole} holds a backtick, which cannot appear in a \`…\` raw string; use "…" around it instead`);
    return value.replaceAll('`', '');
  }
  if (!TOKEN.test(value))
    report(`${whole} is used outside a string literal, where only letters, digits, _ : and . are allowed (got ${JSON.stringify(value)}); put it inside "…"`);
  return TOKEN.test(value) ? value : '';
}

function missing(whole: string, scope: string, name: string): string {
  if (scope === 'vars') return `${whole}: the plan declares no var "${name}"`;
  if (scope === 'env') return `${whole}: environment variable ${name} is not set`;
  return `${whole}: unknown; the stage offers \${stage.name} and \${stage.index}`;
}
