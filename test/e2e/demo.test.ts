import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

describe('npm run demo', { timeout: 90_000 }, () => {
  it('promotes a healthy version through every stage, then rolls back a broken canary', async () => {
    // The demo checks its own outcomes (exit codes, state, the fleet's versions) and exits non-zero otherwise.
    const result = await execa(process.execPath, [path.join(repoRoot, 'examples/demo/run-demo.js')], {
      cwd: repoRoot,
      env: { NO_COLOR: '1', CI: 'true' },
      reject: false,
      all: true,
      timeout: 80_000,
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/canary ✓ passed/);
    expect(result.all).toMatch(/full ✓ passed/);
    expect(result.all).toMatch(/canary ✗ failed: http check .*healthz\/canary failed 2 times in a row/);
    expect(result.all).toMatch(/half skipped/);
    expect(result.all).toMatch(/canary rolled back/);
    // Run 3: a version failing 3 % of requests while its health URL says 200, caught by a condition.
    expect(result.all).toMatch(/canary ✗ failed: http check canary-errors failed 2 times in a row: .*does not meet pass: result\.body\.errorRate < 0\.01/);
  });
});
