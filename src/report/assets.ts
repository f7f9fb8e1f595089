import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * uPlot, read from node_modules when a report is written and inlined into the page, so the page
 * needs no network and no server. Read once per process.
 */
let cached: { js: string; css: string; version: string } | undefined;
export function uplotAssets(): { js: string; css: string; version: string } {
  if (!cached) {
    const version = (JSON.parse(readFileSync(require.resolve('uplot/package.json'), 'utf8')) as { version: string }).version;
    cached = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
      version,
    };
  }
  return cached;
}

/** A CSP source allowing exactly this inline script and nothing else. */
export function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

/**
 * Nothing may load from anywhere: no connections, images only inline, scripts only these exact
 * inline ones (by hash). Inline styles are allowed: the timeline positions bars with them.
 */
export function contentSecurityPolicy(scripts: string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scripts.map(scriptHash).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "connect-src 'none'",
    "font-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
