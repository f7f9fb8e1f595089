import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests spawn the real CLI against real servers; give them room on a loaded 2-core CI box.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default on 2 cores is one worker, and most e2e time is waiting (soaks, leases, servers):
    // two workers finish the suite in about half the time. Tests synchronise on effects, not on time,
    // so the extra load does not make them flaky.
    maxWorkers: 2,
    // Any process warning fails the test that caused it (test/setup/fail-on-warnings.ts).
    setupFiles: ['test/setup/fail-on-warnings.ts'],
    reporters: ['default', './test/closing-line-reporter.ts'],
  },
});
