import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { defaultStatePath, readState, stageOf } from '../helpers/state.js';
import { exists, makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

describe('rollout run: what happens after a stage fails', { timeout: 30_000 }, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('exits 3 when a rollback command fails, and still runs the remaining rollbacks', async () => {
    await writePlan(
      dir,
      `stages:
  - name: one
    deploy: echo one >> deploy.log
    rollback: echo one >> rollback.log
    soak: 0
  - name: two
    deploy: echo two >> deploy.log
    rollback: echo two >> rollback.log && echo rollback broke && exit 5
    soak: 0
  - name: three
    deploy: echo three >> deploy.log && exit 1
    rollback: echo three >> rollback.log
  - name: four
    deploy: echo four >> deploy.log
`,
    );

    const result = await runCli(['run'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(3);
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['one', 'two', 'three']);
    expect(await readLines(path.join(dir, 'rollback.log'))).toEqual(['three', 'two', 'one']);

    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('rollback_failed');
    expect(state.failure?.stage).toBe('three');
    expect(state.stages.map((s) => [s.name, s.status])).toEqual([
      ['one', 'rolled_back'],
      ['two', 'rollback_failed'],
      ['three', 'rolled_back'],
      ['four', 'skipped'],
    ]);
    expect(stageOf(state, 'two').rollback.exitCode).toBe(5);
    expect(stageOf(state, 'one').rollback.exitCode).toBe(0);
    expect(result.stderr).toMatch(/two\s*\|\s*rollback broke/);
    expect(result.all).toMatch(/two/);
    expect(result.all).not.toMatch(STACK_TRACE);
  });

  it('runs the plan-level rollback once, instead of the stages’ own rollbacks', async () => {
    await writePlan(
      dir,
      `rollback: echo "$ROLLOUT_PHASE" >> plan-rollback.log
stages:
  - name: one
    deploy: echo one >> deploy.log
    rollback: echo one >> stage-rollback.log
    soak: 0
  - name: two
    deploy: echo two >> deploy.log
    rollback: echo two >> stage-rollback.log
    soak: 0
  - name: three
    deploy: echo three >> deploy.log && exit 1
    rollback: echo three >> stage-rollback.log
  - name: four
    deploy: echo four >> deploy.log
`,
    );

    const result = await runCli(['run'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['one', 'two', 'three']);
    expect(await readLines(path.join(dir, 'plan-rollback.log'))).toEqual(['rollback']);
    expect(await exists(path.join(dir, 'stage-rollback.log'))).toBe(false);

    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('rolled_back');
    expect(state.rollback?.exitCode).toBe(0);
    expect(state.failure?.stage).toBe('three');
    expect(stageOf(state, 'four').status).toBe('skipped');
    expect(stageOf(state, 'one').status).toBe('rolled_back');
    expect(stageOf(state, 'three').status).toBe('rolled_back');
  });

  it('exits 3 when the plan-level rollback fails', async () => {
    await writePlan(
      dir,
      `rollback: echo ran >> plan-rollback.log; exit 4
stages:
  - name: one
    deploy: "true"
    soak: 0
  - name: two
    deploy: exit 1
`,
    );

    const result = await runCli(['run'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(3);
    expect(await readLines(path.join(dir, 'plan-rollback.log'))).toEqual(['ran']);
    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('rollback_failed');
    expect(state.rollback?.exitCode).toBe(4);
  });

  it('runs no rollback at all with onFailure: stop', async () => {
    await writePlan(
      dir,
      `onFailure: stop
rollback: echo plan >> rollback.log
stages:
  - name: one
    deploy: echo one >> deploy.log
    rollback: echo one >> rollback.log
    soak: 0
  - name: two
    deploy: echo two >> deploy.log && exit 2
    rollback: echo two >> rollback.log
  - name: three
    deploy: echo three >> deploy.log
    rollback: echo three >> rollback.log
`,
    );

    const result = await runCli(['run'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['one', 'two']);
    expect(await exists(path.join(dir, 'rollback.log'))).toBe(false);

    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('failed');
    expect(state.failure?.stage).toBe('two');
    expect(state.stages.map((s) => [s.name, s.status])).toEqual([
      ['one', 'succeeded'],
      ['two', 'failed'],
      ['three', 'skipped'],
    ]);
    expect(stageOf(state, 'one').rollback.exitCode).toBeNull();
  });
});
