#!/usr/bin/env node
// Thin shim: everything, including the only exit-code decision, lives in dist/cli.js. The compile
// cache must be on before the CLI's modules are compiled, hence the dynamic import.
import { enableCompileCache } from '../dist/compile-cache.js';

enableCompileCache();
await import('../dist/cli.js');
