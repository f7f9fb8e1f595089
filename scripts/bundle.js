// Second half of `npm run build`: bundles tsc's dist/cli.js, with its dependencies, into
// dist/cli.js plus chunks beside it (dist/cli.*.js), one chunk per lazily imported command.
// Why: start-up. Node resolves, reads and compiles ~180 module files for `rollout validate`
// (zod alone is ~100, 45 of them locales); one chunk per command is a few files, and zod's unused
// locales drop out. See docs/performance.md for the figures.
//   node scripts/bundle.js [DIST]   (default: this checkout's dist/; the Node 22/24 smoke test builds elsewhere)
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(process.argv[2] ?? path.join(root, 'dist'));

/**
 * zod's entry re-exports `locales` (every language's error messages) as a namespace, so a bundler
 * must keep all 45; rolloutctl words its own messages (src/plan/problems.ts) on top of English.
 */
const englishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: 'zod-locales', namespace: 'rolloutctl' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'rolloutctl' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
      loader: 'js',
    }));
  },
};

// The bundle replaces tsc's dist/cli.js, its own input: bundling it twice would nest the banner.
if (readFileSync(path.join(dist, 'cli.js'), 'utf8').includes('__rolloutRequire')) {
  process.stderr.write(`bundle: ${path.join(dist, 'cli.js')} is already bundled; run \`npm run build\` (tsc, then this).\n`);
  process.exit(1);
}

const result = await esbuild.build({
  entryPoints: { cli: path.join(dist, 'cli.js') },
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Chunks sit beside cli.js, so `new URL('../package.json', import.meta.url)` finds the same file as in tsc's output.
  chunkNames: 'cli.[name]-[hash]',
  entryNames: '[name]',
  // pg-native: pg's optional native driver; typescript: cosmiconfig's loader for .ts config files (not supported).
  external: ['pg-native', 'typescript'],
  // CommonJS dependencies (yaml, pg, cosmiconfig) call require() for Node built-ins.
  banner: { js: "import { createRequire as __rolloutRequire } from 'node:module'; const require = __rolloutRequire(import.meta.url);" },
  plugins: [englishOnly],
  // Less to scan on Node 20, which has no compile cache (names are kept: stack traces stay readable).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
});

// Chunks of an earlier build would linger beside the new ones. Removed only after the new ones are
// written (chunk names carry a content hash, so an unchanged chunk is never missing): a CLI running
// from this dist/ while it is rebuilt still finds what it imports.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(file)));
for (const file of readdirSync(dist)) if (/^cli\..+\.js$/.test(file) && !written.has(path.join(dist, file))) rmSync(path.join(dist, file));
