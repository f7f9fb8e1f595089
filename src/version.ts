import { readFileSync } from 'node:fs';

/**
 * This package's version, from its package.json. Only a module at the top of `dist/` may read it
 * by a relative URL: `npm run build` bundles the CLI into `dist/cli.js` and chunks beside it, so
 * `../package.json` is the same file from tsc's output and from the bundle (scripts/bundle.js).
 */
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; bugs: { url: string } };

export const version = pkg.version;

/** Where a bug in rollout is reported (package.json `bugs`, also what npm shows). */
export const issuesUrl = pkg.bugs.url;
