import { afterAll, afterEach } from 'vitest';
import { NODE_WARNING, takeSettledClis } from '../helpers/cli.js';

/**
 * A process warning is a defect (a listener leak, a deprecated API, an unhandled rejection on its
 * way to becoming a crash), so the suite fails on one instead of printing it and passing: in the
 * test process itself, and on the stderr of every CLI a test started (test/helpers/cli.ts).
 */
const warnings: string[] = [];
process.on('warning', (warning) => {
  warnings.push(`${warning.name}: ${warning.message}`);
});

/** Node emits a warning on the next tick: give it one turn before looking. */
async function collectWarnings(): Promise<string[]> {
  await new Promise((resolve) => setImmediate(resolve));
  const found = warnings.splice(0).map((warning) => `this test process: ${warning}`);
  for (const cli of takeSettledClis()) {
    const line = NODE_WARNING.exec(cli.stderr)?.[0];
    if (line) found.push(`rollout ${cli.args.join(' ')}: ${line}`);
  }
  return found;
}

async function failOnWarnings(): Promise<void> {
  const found = await collectWarnings();
  if (found.length > 0) throw new Error(`process warnings (the suite fails on any):\n  ${found.join('\n  ')}`);
}

afterEach(failOnWarnings);
afterAll(failOnWarnings);
