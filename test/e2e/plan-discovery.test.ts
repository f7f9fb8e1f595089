import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { exists, makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

const planObject = {
  name: 'discovered',
  stages: [
    { name: 'canary', deploy: 'echo canary >> deploy.log', soak: 0 },
    { name: 'full', deploy: 'echo full >> deploy.log', soak: '0s' },
  ],
};

const planYaml = `name: discovered
stages:
  - name: canary
    deploy: echo canary >> deploy.log
    soak: 0
  - name: full
    deploy: echo full >> deploy.log
    soak: 0s
`;

const planJson = JSON.stringify(planObject, null, 2);

describe('finding the plan', { timeout: 30_000 }, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it.each([
    ['rollout.config.yml', planYaml],
    ['rollout.config.yaml', planYaml],
    ['rollout.config.json', planJson],
    ['.rolloutrc', planYaml],
    ['.rolloutrc.json', planJson],
    ['.rolloutrc.yml', planYaml],
    ['package.json', JSON.stringify({ name: 'some-service', version: '1.0.0', rollout: planObject }, null, 2)],
  ])('discovers %s in the working directory without --config', async (name, text) => {
    await writePlan(dir, text, name);

    const result = await runCli(['run'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['canary', 'full']);
    const state = await readState(defaultStatePath(dir));
    expect(state.status).toBe('succeeded');
    expect(state.plan.name).toBe('discovered');
    expect(await fs.realpath(state.plan.path)).toBe(path.join(dir, name));
  });

  it('validates a JSON plan found in the working directory', async () => {
    await writePlan(dir, planJson, 'rollout.config.json');
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
  });

  it('reports problems in a JSON plan with its file name and exit 2', async () => {
    await writePlan(dir, JSON.stringify({ stages: [{ name: 'canary', deploi: 'echo canary >> deploy.log' }] }, null, 2), 'rollout.config.json');
    const result = await runCli(['run'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toMatch(/rollout\.config\.json:\d+:\d+/);
    expect(result.stderr).toMatch(/deploi/);
    expect(await exists(path.join(dir, '.rollout'))).toBe(false);
  });

  it('uses --config from any directory, running commands and keeping state beside the plan', async () => {
    const planFile = await writePlan(dir, planYaml, 'deploy/production.yml');
    const elsewhere = await makeTempDir();
    try {
      const relative = path.relative(elsewhere, planFile);
      const result = await runCli(['run', '--config', relative], { cwd: elsewhere });

      expect(result.exitCode, describeResult(result)).toBe(0);
      expect(await readLines(path.join(dir, 'deploy', 'deploy.log'))).toEqual(['canary', 'full']);
      expect((await readState(defaultStatePath(path.join(dir, 'deploy')))).status).toBe('succeeded');
      expect(await fs.readdir(elsewhere)).toEqual([]);
    } finally {
      await removeTempDir(elsewhere);
    }
  });

  it('exits 2 when --config names a file that does not exist', async () => {
    await writePlan(dir, planYaml);

    const result = await runCli(['run', '--config', path.join(dir, 'nope.yml')], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toMatch(/nope\.yml/);
    expect(result.all).not.toMatch(STACK_TRACE);
    expect(await exists(path.join(dir, 'deploy.log'))).toBe(false);
    expect(await exists(path.join(dir, '.rollout'))).toBe(false);
  });
});

describe('where the state goes', { timeout: 30_000 }, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('writes to the plan’s state: path, relative to the plan file', async () => {
    await writePlan(dir, `state: var/rollout-state.json\n${planYaml}`);
    const result = await runCli(['run'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect((await readState(path.join(dir, 'var', 'rollout-state.json'))).status).toBe('succeeded');
    expect(await exists(defaultStatePath(dir))).toBe(false);
  });

  it('lets --state override the plan’s state: path', async () => {
    await writePlan(dir, `state: var/rollout-state.json\n${planYaml}`);
    const statePath = path.join(dir, 'override', 'state.json');
    const result = await runCli(['run', '--state', statePath], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect((await readState(statePath)).status).toBe('succeeded');
    expect(await exists(path.join(dir, 'var', 'rollout-state.json'))).toBe(false);
    expect(await exists(defaultStatePath(dir))).toBe(false);
  });
});
