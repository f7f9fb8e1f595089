import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { exists, makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * Exit 2 means "bad input, nothing was run". Option values and the plan's state location are
 * checked before anything runs: `--paused-exit-code 300` used to be noticed only at the first
 * gate, after a stage had deployed; `state: s3://…` used to become a local file `s3:/…`.
 */
describe('bad option values and state locations are refused before anything runs', { timeout: 30_000 }, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    soak: 0s
    approval: true
  - name: full
    deploy: echo full >> deploy.log
    soak: 0s
`,
    );
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it.each([
    [['run', '--paused-exit-code', '300'], '--paused-exit-code 300: expected a whole number from 0 to 255'],
    [['run', '--paused-exit-code', '7x'], '--paused-exit-code 7x: expected a whole number from 0 to 255'],
    [['resume', '--paused-exit-code', '256'], '--paused-exit-code 256: expected a whole number from 0 to 255'],
    [['promote', '--paused-exit-code', '1.5'], '--paused-exit-code 1.5: expected a whole number from 0 to 255'],
    [['run', '--wait-lock', 'soon'], '--wait-lock soon: expected a duration like 30s, 5m or 1h'],
    [['rollback', '--wait-lock', '5 minutes'], '--wait-lock 5 minutes: expected a duration like 30s, 5m or 1h'],
    [['history', '--limit', '0'], '--limit 0: expected a whole number of runs, at least 1'],
  ])('rollout %j', async (args, message) => {
    const result = await runCli(args, { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr.trim()).toBe(`error: ${message}`);
    expect(result.all).not.toMatch(STACK_TRACE);
    expect(await exists(path.join(dir, 'deploy.log')), 'a deploy ran').toBe(false);
    expect(await exists(path.join(dir, '.rollout')), 'state was written').toBe(false);
  });

  it('a valid --paused-exit-code is the exit code at the gate', async () => {
    const result = await runCli(['run', '--paused-exit-code', '0'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/rollout promote/);
  });

  it("a plan's state: with a scheme no store owns is refused at its line; no file is written", async () => {
    await writePlan(dir, `state: s3://bucket/key\nstages:\n  - name: canary\n    deploy: echo canary >> deploy.log\n    soak: 0s\n`);
    const result = await runCli(['run'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toContain('rollout.config.yml:1:8 state: no state store takes s3:// locations; use a file path or postgres://… or postgresql://…');
    expect(await readdir(dir)).toEqual(['rollout.config.yml']);
  });

  it('--state with such a scheme is refused the same way', async () => {
    const result = await runCli(['status', '--state', 's3://user:secret@bucket/key'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: state location s3://bucket/key: no state store takes s3:// locations; use a file path or postgres://… or postgresql://…',
    );
  });
});
