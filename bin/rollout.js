#!/usr/bin/env node
// Thin shim: everything, including the only exit-code decision, lives in dist/cli.js.
import '../dist/cli.js';
