import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { describeResult, repoRoot, runCli } from '../helpers/cli.js';

const PLAN = path.join(repoRoot, 'examples', 'fleet', 'rollout.config.yml');

describe('examples/fleet', { timeout: 150_000 }, () => {
  it('is a valid plan', async () => {
    const result = await runCli(['validate', '-c', PLAN], { cwd: repoRoot });
    expect(result.exitCode, describeResult(result)).toBe(0);
  });

  it('runs its tour: all healthy, one broken host within the budget, two broken hosts past it, each outcome checked on the hosts', async () => {
    // run-fleet.js checks its own outcomes (exit codes, state, every host's version) and exits non-zero otherwise.
    const result = await execa(process.execPath, [path.join(repoRoot, 'examples', 'fleet', 'run-fleet.js')], {
      cwd: repoRoot,
      env: { NO_COLOR: '1', CI: 'true' },
      reject: false,
      all: true,
      timeout: 140_000,
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('Done: every run ended as expected');
    // The broken host's own output and checks, under its stage and name.
    expect(result.all).toMatch(/everyone \| us-2 \| us-2: deployed v2\.0\.0 -> v2\.1\.0/);
    expect(result.all).toMatch(/everyone \| us-2 \| us-2: rolled back v2\.1\.0 -> v2\.0\.0/);
  });
});
