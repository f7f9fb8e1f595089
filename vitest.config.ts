import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests spawn the real CLI against real servers; give them room on a loaded 2-core CI box.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default on 2 cores is one worker, and most e2e time is waiting (soaks, leases, servers).
    // Measured on 2 cores: 1 worker ~810 s, 2 workers 440 s, 3 workers 360 s (CPU 1.9 cores busy).
    // Tests synchronise on effects, not on time, so the load does not make them flaky.
    maxWorkers: 3,
    // Any process warning fails the test that caused it (test/setup/fail-on-warnings.ts).
    setupFiles: ['test/setup/fail-on-warnings.ts'],
    reporters: ['default', './test/closing-line-reporter.ts'],
  },
});
