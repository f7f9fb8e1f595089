import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { defaultStatePath, readState, stageOf } from '../helpers/state.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

const threeStages = (failAt: string | null, onFailure = 'rollback') => `name: status-plan
onFailure: ${onFailure}
stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 0
  - name: half
    deploy: echo half >> deploy.log${failAt === 'half' ? ' && exit 1' : ''}
    rollback: echo half >> rollback.log
    soak: 0
  - name: full
    deploy: echo full >> deploy.log
    rollback: echo full >> rollback.log
    soak: 0
`;

describe('rollout status', { timeout: 30_000 }, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('shows each stage of the last run and its status', async () => {
    await writePlan(dir, threeStages(null));
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(0);

    const result = await runCli(['status'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    for (const name of ['canary', 'half', 'full']) expect(result.stdout).toContain(name);
    expect(result.stdout).toMatch(/succeeded/i);
  });

  it('shows a failed stage and the stages never reached', async () => {
    await writePlan(dir, threeStages('half', 'stop'));
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(1);

    const result = await runCli(['status'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toMatch(/half.*failed/i);
    expect(result.stdout).toMatch(/full.*skipped/i);
  });

  it('--json prints exactly the state document', async () => {
    await writePlan(dir, threeStages('half'));
    await runCli(['run'], { cwd: dir });

    const result = await runCli(['status', '--json'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    const printed = JSON.parse(result.stdout) as unknown;
    expect(printed).toEqual(await readState(defaultStatePath(dir)));
  });

  it('--state reads a given state file from anywhere', async () => {
    await writePlan(dir, threeStages(null));
    const statePath = path.join(dir, 'elsewhere', 'my-state.json');
    expect((await runCli(['run', '--state', statePath], { cwd: dir })).exitCode).toBe(0);
    const unrelated = await makeTempDir();
    try {
      const text = await runCli(['status', '--state', statePath], { cwd: unrelated });
      expect(text.exitCode, describeResult(text)).toBe(0);
      expect(text.stdout).toContain('canary');

      const json = await runCli(['status', '--state', statePath, '--json'], { cwd: unrelated });
      expect(json.exitCode, describeResult(json)).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual(await readState(statePath));
    } finally {
      await removeTempDir(unrelated);
    }
  });

  it('exits 2 with a clear message when there is no state yet', async () => {
    await writePlan(dir, threeStages(null));

    const result = await runCli(['status'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toMatch(/state|no run/i);
    expect(result.all).not.toMatch(STACK_TRACE);

    const missing = await runCli(['status', '--state', path.join(dir, 'nope.json')], { cwd: dir });
    expect(missing.exitCode, describeResult(missing)).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json|state/i);
    expect(missing.all).not.toMatch(STACK_TRACE);
  });
});

describe('rollout rollback', { timeout: 30_000 }, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('rolls back every stage of a successful run, newest first, and records it', async () => {
    await writePlan(dir, threeStages(null));
    const run = await runCli(['run'], { cwd: dir });
    expect(run.exitCode, describeResult(run)).toBe(0);
    const before = await readState(defaultStatePath(dir));

    const result = await runCli(['rollback'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(await readLines(path.join(dir, 'rollback.log'))).toEqual(['full', 'half', 'canary']);
    const state = await readState(defaultStatePath(dir));
    expect(state.runId).toBe(before.runId);
    expect(state.status).toBe('rolled_back');
    expect(state.stages.map((s) => s.status)).toEqual(['rolled_back', 'rolled_back', 'rolled_back']);
    for (const stage of state.stages) expect(stage.rollback.exitCode, stage.name).toBe(0);
    expect(result.all).toMatch(/canary/);

    // Everything is already rolled back: a second rollback runs nothing.
    const again = await runCli(['rollback'], { cwd: dir });
    expect(again.exitCode, describeResult(again)).toBe(0);
    expect(await readLines(path.join(dir, 'rollback.log'))).toEqual(['full', 'half', 'canary']);
  });

  it('rolls back only the stages whose deploy started, after onFailure: stop', async () => {
    await writePlan(dir, threeStages('half', 'stop'));
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(1);
    expect(await readLines(path.join(dir, 'rollback.log'))).toEqual([]);

    const result = await runCli(['rollback'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(await readLines(path.join(dir, 'rollback.log'))).toEqual(['half', 'canary']);
    const state = await readState(defaultStatePath(dir));
    expect(state.stages.map((s) => s.status)).toEqual(['rolled_back', 'rolled_back', 'skipped']);
  });

  it('exits 3 and records rollback_failed when a rollback command fails, still running the others', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: "true"
    rollback: echo canary >> rollback.log
    soak: 0
  - name: full
    deploy: "true"
    rollback: echo full >> rollback.log; exit 9
    soak: 0
`,
    );
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(0);

    const result = await runCli(['rollback'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(3);
    expect(await readLines(path.join(dir, 'rollback.log'))).toEqual(['full', 'canary']);
    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('rollback_failed');
    expect(stageOf(state, 'full').status).toBe('rollback_failed');
    expect(stageOf(state, 'full').rollback.exitCode).toBe(9);
    expect(stageOf(state, 'canary').status).toBe('rolled_back');
    expect(result.all).not.toMatch(STACK_TRACE);
  });

  it('uses the plan-level rollback once when the plan has one', async () => {
    await writePlan(
      dir,
      `rollback: echo "$ROLLOUT_PHASE" >> plan-rollback.log
stages:
  - name: canary
    deploy: "true"
    soak: 0
  - name: full
    deploy: "true"
    soak: 0
`,
    );
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(0);

    const result = await runCli(['rollback'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(await readLines(path.join(dir, 'plan-rollback.log'))).toEqual(['rollback']);
    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('rolled_back');
    expect(state.rollback?.exitCode).toBe(0);
  });

  it('honours --config and --state', async () => {
    const planFile = await writePlan(dir, threeStages(null), 'plans/plan.yml');
    const statePath = path.join(dir, 'custom-state.json');
    const elsewhere = await makeTempDir();
    try {
      expect((await runCli(['run', '--config', planFile, '--state', statePath], { cwd: elsewhere })).exitCode).toBe(0);
      const result = await runCli(['rollback', '--config', planFile, '--state', statePath], { cwd: elsewhere });
      expect(result.exitCode, describeResult(result)).toBe(0);
      expect(await readLines(path.join(dir, 'plans', 'rollback.log'))).toEqual(['full', 'half', 'canary']);
      expect((await readState(statePath)).status).toBe('rolled_back');
      await expect(fs.access(path.join(dir, 'plans', '.rollout'))).rejects.toThrow();
    } finally {
      await removeTempDir(elsewhere);
    }
  });
});
