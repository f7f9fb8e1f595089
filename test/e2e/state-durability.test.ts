import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE, startCli } from '../helpers/cli.js';
import { defaultStatePath, lockPath, readState, waitForState } from '../helpers/state.js';
import { exists, makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

const PLAN = `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 0
  - name: full
    deploy: echo full >> deploy.log
    soak: 0
`;

describe('the state file survives anything', { timeout: 30_000 }, () => {
  let dir: string;
  const statePath = () => defaultStatePath(dir);
  beforeEach(async () => {
    dir = await makeTempDir();
    await writePlan(dir, PLAN);
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('keeps a complete snapshot as .bak (once the run ended, its final record), counts writes in serial, keeps one lineage; files 0600, directory 0700', async () => {
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(0);
    const state = await readState(statePath());
    const backup = JSON.parse(await readFile(`${statePath()}.bak`, 'utf8'));
    // Writes that need not be urgent are coalesced, so how many there are depends on the machine's speed;
    // each deploy's start and the run's end are always written: at least 3.
    expect(state.serial).toBeGreaterThanOrEqual(3);
    // Issue 18: never the `running` record one write behind, which `status` would call a dead run.
    expect(backup.serial).toBe(state.serial);
    expect(backup.status).toBe('succeeded');
    expect(backup.lineage).toBe(state.lineage);
    expect(state.lineage).toMatch(/^[0-9a-f-]{36}$/);
    expect((await stat(statePath())).mode & 0o777).toBe(0o600);
    expect((await stat(`${statePath()}.bak`)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(statePath()))).mode & 0o777).toBe(0o700);

    const second = await runCli(['run'], { cwd: dir });
    expect(second.exitCode).toBe(0);
    expect((await readState(statePath())).lineage).not.toBe(state.lineage);
  });

  it('makes its lock file 0600 while it runs', async () => {
    await writePlan(dir, PLAN.replace('soak: 0\n  - name: full', 'soak: 5s\n  - name: full'));
    const run = startCli(['run'], { cwd: dir });
    await waitForState(statePath(), (s) => s.stages[0]?.status === 'soaking');
    expect((await stat(lockPath(statePath()))).mode & 0o777).toBe(0o600);
    run.kill('SIGINT');
    expect((await run).exitCode).toBe(130);
  });

  it.each([
    ['garbage', '{"version": 1, "stages": [ {"name": '],
    ['empty', ''],
    ['not ours', '{"hello": "world"}'],
  ])('refuses a %s state file in every command, naming it and the backup, and changes nothing', async (_, text) => {
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(0);
    const good = JSON.parse(await readFile(`${statePath()}.bak`, 'utf8'));
    await writeFile(statePath(), text);
    for (const command of [['run'], ['status'], ['status', '--json'], ['rollback'], ['resume']]) {
      const result = await runCli(command, { cwd: dir });
      expect(result.exitCode, `${command.join(' ')}: ${describeResult(result)}`).toBe(2);
      expect(result.stderr).toContain(`state file ${statePath()} is damaged`);
      expect(result.stderr).toContain(`${statePath()}.bak (run ${good.runId}, status ${good.status}, serial ${good.serial})`);
      expect(result.stderr).toContain(`cp ${statePath()}.bak ${statePath()}`);
      expect(result.stderr).not.toMatch(STACK_TRACE);
      expect(await readFile(statePath(), 'utf8')).toBe(text);
      expect(await exists(lockPath(statePath()))).toBe(false);
    }
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['canary', 'full']); // nothing ran again
  });

  it('leaves state and a foreign lock byte-identical on bad input', async () => {
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(0);
    const foreignLock = JSON.stringify({
      runId: 'other',
      pid: 1,
      host: 'elsewhere',
      startedAt: new Date().toISOString(),
      command: 'rollout run',
      heartbeatAt: new Date().toISOString(),
    });
    await writeFile(lockPath(statePath()), foreignLock);
    const stateBefore = await readFile(statePath());
    const bad = [
      ['run', '--var', 'nope=1'],
      ['run', '--wait-lock', 'soon'],
      ['run', '--config', 'missing.yml'],
      ['resume', '--bogus-flag'],
    ];
    for (const args of bad) {
      const result = await runCli(args, { cwd: dir });
      expect(result.exitCode, `${args.join(' ')}: ${describeResult(result)}`).toBe(2);
    }
    await writePlan(dir, 'stages:\n  - name: x\n    deploy: true\n    soak: banana\n');
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(2);
    expect(await readFile(statePath())).toEqual(stateBefore);
    expect(await readFile(lockPath(statePath()), 'utf8')).toBe(foreignLock);
  });

  it('keeps the record of a run that never finished when a new run starts over it', async () => {
    await writePlan(dir, PLAN.replace('soak: 0\n  - name: full', 'soak: 10s\n  - name: full'));
    const first = startCli(['run'], { cwd: dir });
    await waitForState(statePath(), (s) => s.stages[0]?.status === 'soaking');
    first.kill('SIGKILL');
    await first;
    const dead = await readState(statePath());
    await writePlan(dir, PLAN);

    const result = await runCli(['run'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const archive = `${statePath()}.unfinished-${dead.runId}.json`;
    expect(result.stderr).toContain(`Run ${dead.runId} died while canary was soaking. It left deployed: canary.`);
    expect(result.stderr).toContain(`rollout rollback --state ${archive}`);
    expect((await readState(archive)).runId).toBe(dead.runId);

    const undo = await runCli(['rollback', '--state', archive], { cwd: dir });
    expect(undo.exitCode, describeResult(undo)).toBe(0);
    expect((await readState(archive)).status).toBe('rolled_back');
  });
});
