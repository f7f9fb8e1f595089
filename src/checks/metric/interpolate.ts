import type { NormaliseContext } from '../kind.js';

/**
 * Fills `${vars.X}`, `${args.X}`, `${stage.name}` and `${env.X}` into a query language that has
 * quoted strings with backslash escapes (InfluxQL, Graphite targets, Datadog and CloudWatch
 * expressions), escaped for where each one lands: inside a quoted string, the quote and the
 * backslash are escaped so a value cannot end the string and add query text of its own; outside
 * any string only a plain token (`token`, e.g. letters, digits, `_ - .`) is allowed, and anything
 * else is a plan error asking to quote it. Unknown names are reported by the shared substitution.
 */
export interface QueryLanguage {
  /** Quote characters that open a string in which `\` escapes. */
  quotes: readonly string[];
  /** What a value may be where it stands outside any string. */
  token: RegExp;
  /** The same in words, for the problem: "letters, digits, _ - and .". */
  tokenWords: string;
  /** What to call the language in messages: "InfluxQL". */
  name: string;
  /** False when its strings have no escapes (Graphite): a value holding the quote or `\\` is refused. */
  escapes?: boolean;
}

const PLACEHOLDER = /^\$\{\s*(vars|env|stage|args|target)\.([A-Za-z_][A-Za-z0-9_.-]*)\s*\}/;

export function fillQuery(text: string, key: (string | number)[], language: QueryLanguage, ctx: NormaliseContext): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const placeholder = ch === '$' ? PLACEHOLDER.exec(text.slice(i)) : null;
    if (placeholder) {
      const [whole, scope, name] = placeholder as unknown as [string, string, string];
      const value = ctx.substitute(`\${${scope}.${name}}`, key);
      out += quote === null ? token(value, whole, key, language, ctx) : inString(value, quote, whole, key, language, ctx);
      i += whole.length - 1;
      continue;
    }
    out += ch;
    if (quote !== null) {
      if (ch === '\\' && language.escapes !== false) {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === quote) quote = null;
    } else if (language.quotes.includes(ch)) quote = ch;
  }
  return out;
}

/** `value` as the inside of a string opened with `quote`: the quote, backslashes and line breaks escaped. */
export function escapeString(value: string, quote: string): string {
  let out = '';
  for (const ch of value) {
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch < ' ' || ch === '\u007f') out += '';
    else out += ch;
  }
  return out;
}

function inString(value: string, quote: string, whole: string, key: (string | number)[], language: QueryLanguage, ctx: NormaliseContext): string {
  if (language.escapes !== false) return escapeString(value, quote);
  if (!value.includes(quote) && !value.includes('\\') && ![...value].some((ch) => ch < ' ' || ch === '\u007f')) return value;
  ctx.problem(key, `${whole} holds ${quote}, \\ or a control character, which a ${language.name} string cannot hold`);
  return '';
}

function token(value: string, whole: string, key: (string | number)[], language: QueryLanguage, ctx: NormaliseContext): string {
  if (language.token.test(value)) return value;
  ctx.problem(
    key,
    `${whole} is used outside a quoted string, where ${language.name} allows only ${language.tokenWords} (got ${JSON.stringify(ctx.display(whole))}); put it inside quotes`,
  );
  return '';
}
