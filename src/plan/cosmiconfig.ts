/**
 * cosmiconfig, re-exported statically so `find.ts` can import it lazily: the bundle
 * (scripts/bundle.js) gives a dynamically imported CommonJS package only a default export, while a
 * static named import of it works in tsc's output and in the bundle alike.
 */
export { cosmiconfig } from 'cosmiconfig';
