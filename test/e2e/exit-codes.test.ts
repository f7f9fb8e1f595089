import { writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { describeResult, runCli, startCli } from '../helpers/cli.js';
import { defaultStatePath, lockPath, readState, waitForState } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

interface Row {
  path: string;
  plan: string;
  args?: string[];
  signal?: 'SIGINT' | 'SIGTERM';
  /** Set up the directory before running (e.g. a foreign lock). */
  before?: (dir: string) => Promise<void>;
  code: number;
  /** Final status in the state file; null when no run was recorded. */
  status: string | null;
}

const ROWS: Row[] = [
  { path: 'every stage passed', plan: 'stages:\n  - name: a\n    deploy: "true"\n    soak: 0\n', code: 0, status: 'succeeded' },
  { path: 'a stage failed, onFailure: stop', plan: 'onFailure: stop\nstages:\n  - name: a\n    deploy: exit 1\n', code: 1, status: 'failed' },
  { path: 'a stage failed, nothing had a rollback', plan: 'stages:\n  - name: a\n    deploy: exit 1\n', code: 1, status: 'failed' },
  { path: 'a stage failed, rolled back', plan: 'stages:\n  - name: a\n    deploy: exit 1\n    rollback: "true"\n', code: 1, status: 'rolled_back' },
  { path: 'a rollback failed', plan: 'stages:\n  - name: a\n    deploy: exit 1\n    rollback: exit 1\n', code: 3, status: 'rollback_failed' },
  { path: 'interrupted by SIGINT', plan: 'stages:\n  - name: a\n    deploy: sleep 30\n', signal: 'SIGINT', code: 130, status: 'interrupted' },
  { path: 'interrupted by SIGTERM', plan: 'stages:\n  - name: a\n    deploy: sleep 30\n', signal: 'SIGTERM', code: 143, status: 'interrupted' },
  { path: 'bad plan', plan: 'stages:\n  - name: a\n', code: 2, status: null },
  { path: 'bad flag', plan: 'stages:\n  - name: a\n    deploy: "true"\n', args: ['run', '--no-such-flag'], code: 2, status: null },
  {
    path: 'locked by another run',
    plan: 'stages:\n  - name: a\n    deploy: "true"\n    soak: 0\n',
    before: async (dir) => {
      await runCli(['run'], { cwd: dir });
      const now = new Date().toISOString();
      await writeFile(
        lockPath(defaultStatePath(dir)),
        JSON.stringify({ runId: 'x', pid: 1, host: 'far', startedAt: now, command: 'rollout run', heartbeatAt: now }),
      );
    },
    code: 4,
    status: 'succeeded', // the previous run's record, untouched
  },
];

describe('exit codes: every path, and one code per final status', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map(removeTempDir));
  });
  const seen = new Map<string, Set<number>>();

  it.each(ROWS)('$path → exit $code, state $status', async (row) => {
    const dir = await makeTempDir();
    dirs.push(dir);
    await writePlan(dir, row.plan);
    await row.before?.(dir);
    let code: number | undefined;
    if (row.signal) {
      const run = startCli(row.args ?? ['run'], { cwd: dir });
      await waitForState(defaultStatePath(dir), (s) => s.stages[0]?.status === 'deploying');
      run.kill(row.signal);
      code = (await run).exitCode;
    } else {
      const result = await runCli(row.args ?? ['run'], { cwd: dir });
      expect(result.exitCode, describeResult(result)).toBe(row.code);
      code = result.exitCode;
    }
    expect(code).toBe(row.code);
    const status = row.status === null ? null : (await readState(defaultStatePath(dir))).status;
    expect(status).toBe(row.status);
    if (status !== null && row.code !== 4) {
      const codes = seen.get(status) ?? new Set<number>();
      codes.add(code as number);
      seen.set(status, codes);
    }
  });

  it('maps each final status to exactly one exit code', () => {
    // `interrupted` is one status with its signal recorded (interruptedBy): 130 for SIGINT, 143 for SIGTERM.
    expect(Object.fromEntries([...seen].map(([status, codes]) => [status, [...codes].sort()]))).toEqual({
      succeeded: [0],
      failed: [1],
      rolled_back: [1],
      rollback_failed: [3],
      interrupted: [130, 143],
    });
  });
});
