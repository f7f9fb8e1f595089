import { readFileSync } from 'node:fs';

/**
 * This package's version, from its package.json. Only a module at the top of `dist/` may read it
 * by a relative URL: `npm run build` bundles the CLI into `dist/cli.js` and chunks beside it, so
 * `../package.json` is the same file from tsc's output and from the bundle (scripts/bundle.js).
 */
export const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
