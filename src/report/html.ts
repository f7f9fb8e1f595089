import { escapeControl, escapeControlDeep } from '../output/escape-control.js';

/**
 * HTML built only through `html\`…\``: every interpolated value is escaped unless it is already
 * `Html` (built the same way). Run data — stage names, command output, URLs — can never become
 * markup or script.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Markup escaped, and control characters shown as `\x1b` (src/output/escape-control.ts), as everywhere rollout quotes. */
export function escapeHtml(text: string): string {
  return escapeControl(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside `<script type="application/json">`: nothing in it can close the element. */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(escapeControlDeep(data))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Only http(s) links are made clickable; anything else (javascript:, data:) stays text. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}
