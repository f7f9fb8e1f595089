import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import suite from '../../vitest.config.js';
import { repoRoot } from '../helpers/cli.js';

describe('the suite fails on any process warning', () => {
  it('is set up for every test file', () => {
    expect(suite.test?.setupFiles).toContain('test/setup/fail-on-warnings.ts');
  });

  it('fails a test that emits a warning, or whose CLI prints one; passes a clean one', { timeout: 60_000 }, async () => {
    const result = await execa(process.execPath, [`${repoRoot}/node_modules/vitest/vitest.mjs`, 'run', '--config', 'test/fixtures/warnings/vitest.config.ts'], {
      cwd: repoRoot,
      reject: false,
      all: true,
      env: { NO_COLOR: '1', CI: 'true' },
    });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toMatch(/× .*in-process warning/);
    expect(result.all).toMatch(/MaxListenersExceededWarning: left a listener behind/);
    expect(result.all).toMatch(/× .*warning on a spawned CLI/);
    expect(result.all).toMatch(/rollout --version: \(node:\d+\) ExperimentalWarning/);
    expect(result.all).toMatch(/✓ .*clean test/);
  });
});
