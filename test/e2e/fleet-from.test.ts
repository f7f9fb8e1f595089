import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE, startCli, toCliResult } from '../helpers/cli.js';
import { batchesOf, targetStatuses } from '../helpers/fleet-plan.js';
import { heldDeploy, isProcessAlive, release, waitFor } from '../helpers/processes.js';
import { defaultStatePath, readState, stageOf, waitForState } from '../helpers/state.js';
import { exists, makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * `targets: { from: ./list-hosts.sh }` through the built CLI (issue 17): the inventory runs each
 * time the plan is loaded (validate, plan, run, resume), and its problems are plan problems (exit 2).
 */
let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('rollout-fleet-from-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

/** Prints one JSON line per name in hosts.txt, with the plan's region var as an attribute. */
const LIST_HOSTS = [
  '#!/bin/sh',
  'echo "$ROLLOUT_VAR_REGION" >> calls.log',
  'while read -r name; do',
  '  [ -n "$name" ] && printf \'{"name": "%s", "region": "%s", "port": 8080, "canary": false}\\n\' "$name" "$ROLLOUT_VAR_REGION"',
  'done < hosts.txt',
  '',
].join('\n');

async function setUp(hosts: string[], stage: string[] = [], script = LIST_HOSTS): Promise<void> {
  await fs.writeFile(path.join(dir, 'list-hosts.sh'), script, { mode: 0o755 });
  await fs.writeFile(path.join(dir, 'hosts.txt'), `${hosts.join('\n')}\n`);
  await writePlan(
    dir,
    [
      'vars: { region: eu }',
      'targets:',
      '  from: ./list-hosts.sh',
      'stages:',
      '  - name: fleet',
      '    targets: "*"',
      '    batch: 2',
      '    soak: 0s',
      ...(stage.length > 0 ? stage : ['    deploy: echo "$ROLLOUT_TARGET $ROLLOUT_TARGET_REGION $ROLLOUT_TARGET_PORT" >> deploys.log; true']),
      '',
    ].join('\n'),
  );
}

describe('targets from a command', { timeout: 60_000 }, () => {
  it('validate and plan list the targets the command prints', async () => {
    await setUp(['h1', 'h2', 'h3']);
    const validate = await runCli(['validate'], { cwd: dir });
    expect(validate.exitCode, describeResult(validate)).toBe(0);
    expect(validate.stdout).toMatch(/3 targets in 2 batches/);
    const plan = await runCli(['plan'], { cwd: dir });
    expect(plan.exitCode, describeResult(plan)).toBe(0);
    expect(plan.stdout).toMatch(/batch 1: +h1, h2\n/);
    expect(plan.stdout).toMatch(/batch 2: +h3\n/);
    expect(plan.stdout).toContain('  targets from: ./list-hosts.sh (3 listed now)\n');
    const json = await runCli(['plan', '--json'], { cwd: dir });
    expect(json.exitCode, describeResult(json)).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      targetsFrom: './list-hosts.sh',
      targets: [
        { name: 'h1', attributes: { region: 'eu', port: '8080', canary: 'false' } },
        { name: 'h2', attributes: { region: 'eu', port: '8080', canary: 'false' } },
        { name: 'h3', attributes: { region: 'eu', port: '8080', canary: 'false' } },
      ],
    });
  });

  it('a failing command: exit 2, its exit status and stderr at the from: line, no stack trace, no run', async () => {
    await setUp(['h1'], [], '#!/bin/sh\necho "cmdb: connection refused" >&2\necho "retry later" >&2\nexit 3\n');
    for (const command of ['validate', 'plan', 'run']) {
      const result = await runCli([command], { cwd: dir });
      expect(result.exitCode, describeResult(result)).toBe(2);
      expect(result.stderr).toContain(
        'rollout.config.yml:3:9 targets.from: the inventory command exited with code 3; its stderr: "cmdb: connection refused" / "retry later"',
      );
      expect(result.stderr).not.toMatch(STACK_TRACE);
    }
    expect(await exists(defaultStatePath(dir))).toBe(false);
  });

  it('a bad output line: exit 2 naming the line', async () => {
    await setUp(['h1'], [], '#!/bin/sh\necho \'{"name": "h1"}\'\necho \'{"name": "h2", "port": {"n": 1}}\'\necho \'{"host": "x"}\'\n');
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toContain(
      'rollout.config.yml:3:9 targets.from: line 2 of its output gives "h2" an attribute "port" that is a JSON object; attributes are text, numbers or true/false',
    );
    expect(result.stderr).toContain('rollout.config.yml:3:9 targets.from: line 3 of its output has no "name"');
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });

  it('run deploys the 4 targets the command prints, in batches of 2, each with its attributes', async () => {
    await setUp(['h1', 'h2', 'h3', 'h4']);
    const run = await runCli(['run'], { cwd: dir });
    expect(run.exitCode, describeResult(run)).toBe(0);
    const state = await readState(defaultStatePath(dir));
    expect(batchesOf(stageOf(state, 'fleet'))).toEqual([
      ['h1', 'h2'],
      ['h3', 'h4'],
    ]);
    expect(targetStatuses(state, 'fleet')).toEqual({ h1: 'updated', h2: 'updated', h3: 'updated', h4: 'updated' });
    expect((await readLines(path.join(dir, 'deploys.log'))).sort()).toEqual(['h1 eu 8080', 'h2 eu 8080', 'h3 eu 8080', 'h4 eu 8080']);
  });

  it('status, history and report do not run the command: they find the run while the inventory is down', async () => {
    await fs.writeFile(path.join(dir, 'list-hosts.sh'), '#!/bin/sh\necho listed >> calls.log\necho \'{"name": "h1"}\'\n', { mode: 0o755 });
    await writePlan(
      dir,
      [
        'targets: { from: ./list-hosts.sh }',
        'state: runs/state.json',
        'stages:',
        '  - name: fleet',
        '    targets: "*"',
        '    deploy: "true"',
        '    soak: 0s',
        '',
      ].join('\n'),
    );
    const run = await runCli(['run'], { cwd: dir });
    expect(run.exitCode, describeResult(run)).toBe(0);
    expect(await readLines(path.join(dir, 'calls.log'))).toEqual(['listed']);

    await fs.writeFile(path.join(dir, 'list-hosts.sh'), '#!/bin/sh\necho listed >> calls.log\necho "cmdb down" >&2\nexit 3\n');
    for (const command of [['status'], ['history'], ['report', '--out', 'report.html']]) {
      const result = await runCli(command, { cwd: dir });
      expect(result.exitCode, describeResult(result)).toBe(0);
      expect(result.stderr).not.toMatch(/cmdb down|targets\.from/);
    }
    expect((await runCli(['status'], { cwd: dir })).stdout).toMatch(/succeeded/);
    expect(await readLines(path.join(dir, 'calls.log'))).toEqual(['listed']);
  });

  it('Ctrl-C while the command runs: exit 130 at once, its process group stopped', async () => {
    await setUp(['h1'], [], '#!/bin/sh\nsleep 30 &\necho $! > sleeper.pid\nwait\n');
    const validate = startCli(['validate'], { cwd: dir, timeout: 20_000 });
    expect(await waitFor(() => existsSync(path.join(dir, 'sleeper.pid')))).toBe(true);
    const sleeper = Number(await fs.readFile(path.join(dir, 'sleeper.pid'), 'utf8'));
    validate.kill('SIGINT');
    const result = toCliResult(await validate);
    expect(result.exitCode, describeResult(result)).toBe(130);
    expect(result.stderr).toContain('stopped while the inventory command (targets.from) was listing the targets; nothing was run');
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(await waitFor(() => !isProcessAlive(sleeper))).toBe(true);
  });

  it('a run keeps the targets its command listed: resume and rollback use them, while the inventory lists others or is down', async () => {
    await setUp(
      ['h1', 'h2', 'h3', 'h4'],
      [
        `    deploy: ${JSON.stringify(heldDeploy('echo "$ROLLOUT_TARGET" >> deploys.log'))}`,
        '    rollback: echo "$ROLLOUT_TARGET $ROLLOUT_TARGET_REGION" >> rollbacks.log',
      ],
    );
    const statePath = defaultStatePath(dir);
    const run = startCli(['run'], { cwd: dir, timeout: 50_000 });
    await waitForState(statePath, (s) => Object.values(s.stages[0]?.targets ?? []).some((t) => t.status === 'deploying'));
    run.kill('SIGKILL');
    await run.catch(() => undefined);
    expect((await readState(statePath)).inventory?.map((t) => t.name)).toEqual(['h1', 'h2', 'h3', 'h4']);

    // The inventory now lists another fleet, then is down altogether: neither reaches the run.
    await fs.writeFile(path.join(dir, 'hosts.txt'), 'h1\nh2\nh3\nh4\nh5\n');
    await fs.writeFile(path.join(dir, 'calls.log'), '');
    release(dir);
    const resumed = toCliResult(await startCli(['resume'], { cwd: dir, timeout: 50_000 }));
    expect(resumed.exitCode, describeResult(resumed)).toBe(0);
    expect(targetStatuses(await readState(statePath), 'fleet')).toEqual({ h1: 'updated', h2: 'updated', h3: 'updated', h4: 'updated' });

    await fs.writeFile(path.join(dir, 'list-hosts.sh'), '#!/bin/sh\necho listed >> calls.log\necho "cmdb down" >&2\nexit 3\n');
    const rolledBack = await runCli(['rollback'], { cwd: dir });
    expect(rolledBack.exitCode, describeResult(rolledBack)).toBe(0);
    expect(rolledBack.stderr).not.toMatch(STACK_TRACE);
    // Two at a time (maxParallel is the batch of 2): which of a pair writes first is the shell's.
    expect([...(await readLines(path.join(dir, 'rollbacks.log')))].sort()).toEqual(['h1 eu', 'h2 eu', 'h3 eu', 'h4 eu']);
    expect(await readLines(path.join(dir, 'calls.log'))).toEqual([]);
  });
});
