import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, repoRoot, runCli } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * State documents in the shape 0.1.0 wrote them (no step cursor, no gate, a check's `recent` list with
 * its values, no rolloutctlVersion): the run model reads them, and every command drives them through
 * the one loop — status says what resume will do, resume goes on, a rollback undoes.
 */
describe('state documents written by 0.1.0', { timeout: 40_000 }, () => {
  let dir: string;
  const deploys = () => readLines(path.join(dir, 'deploy.log'));
  const rollbacks = () => readLines(path.join(dir, 'rollback.log'));

  beforeEach(async () => {
    dir = await makeTempDir();
    await writePlan(
      dir,
      `defaults:
  soak: 100ms
stages:
${['canary', 'half', 'full'].map((name) => `  - name: ${name}\n    deploy: echo ${name} >> deploy.log\n    rollback: echo ${name} >> rollback.log\n`).join('')}`,
    );
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  async function given(fixture: string): Promise<string> {
    const statePath = defaultStatePath(dir);
    await mkdir(path.dirname(statePath), { recursive: true });
    await copyFile(path.join(repoRoot, 'test/fixtures/state/0.1.0', `${fixture}.json`), statePath);
    return statePath;
  }

  it('interrupted while soaking: status and history show it; resume soaks half again without redeploying, then deploys full', async () => {
    const statePath = await given('interrupted-soaking');
    const status = await runCli(['status'], { cwd: dir });
    expect(status.exitCode, describeResult(status)).toBe(0);
    expect(status.stdout).toContain('`rollout resume` will soak half again from the start, without redeploying it, then go on.');
    const history = await runCli(['history'], { cwd: dir });
    expect(history.exitCode, describeResult(history)).toBe(0);
    expect(history.stdout).toContain('20261125T100000Z-aaaaaa');

    const resumed = await runCli(['resume', '--allow-plan-change'], { cwd: dir });
    expect(resumed.exitCode, describeResult(resumed)).toBe(0);
    expect(await deploys()).toEqual(['full']);
    const state = await readState(statePath);
    expect(state.status).toBe('succeeded');
    expect(state.resumes).toBe(1);
    expect(state.stages.map((s) => [s.status, s.step])).toEqual([
      ['succeeded', undefined],
      ['succeeded', 'done'],
      ['succeeded', 'done'],
    ]);
  });

  it('interrupted during its rollback: resume finishes it, undoing only what is left', async () => {
    const statePath = await given('interrupted-rolling-back');
    const status = await runCli(['status'], { cwd: dir });
    expect(status.stdout).toContain('`rollout resume` will finish the rollback: canary, newest first.');
    const resumed = await runCli(['resume', '--allow-plan-change'], { cwd: dir });
    expect(resumed.exitCode, describeResult(resumed)).toBe(1); // rolled back: the rollout failed
    expect(await rollbacks()).toEqual(['canary']);
    const state = await readState(statePath);
    expect(state.status).toBe('rolled_back');
    expect(state.stages.map((s) => s.status)).toEqual(['rolled_back', 'rolled_back', 'skipped']);
  });

  it('succeeded: rollout rollback undoes every stage, newest first', async () => {
    const statePath = await given('succeeded');
    const undone = await runCli(['rollback'], { cwd: dir });
    expect(undone.exitCode, describeResult(undone)).toBe(0);
    expect(await rollbacks()).toEqual(['full', 'half', 'canary']);
    expect((await readState(statePath)).status).toBe('rolled_back');
  });
});
