import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.js';
import { isProcessAlive, waitFor } from '../helpers/processes.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { validateInProcess } from '../helpers/validate-in-process.js';

/**
 * `targets: { from: COMMAND }` when the plan is loaded (issue 17): the command runs for real with
 * /bin/sh in the plan's directory; its problems are plan problems at `from:` (exit 2), in the
 * same one-pass list as the plan's others.
 */
let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('rollout-fleet-from-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

const STAGES = ['stages:', '  - name: all', '    targets: "*"', '    deploy: "true"'];

async function write(lines: string[], script?: string): Promise<void> {
  await fs.writeFile(path.join(dir, 'rollout.config.yml'), `${lines.join('\n')}\n`);
  if (script !== undefined) await fs.writeFile(path.join(dir, 'list-hosts.sh'), script);
}

async function problems(lines: string[], script?: string): Promise<string[]> {
  await write(lines, script);
  const result = await validateInProcess(dir, 'rollout.config.yml');
  expect(result.exitCode, result.stdout + result.stderr).toBe(2);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.trim().replace(/^rollout\.config\.yml:/, ''));
}

describe('targets: { from: … }', () => {
  it('runs the command in the plan directory with the vars as ROLLOUT_VAR_*, and nothing pasted into it', async () => {
    await write(
      [
        'vars: { region: "eu; touch pasted" }',
        'targets:',
        '  from: sh list-hosts.sh',
        'stages:',
        '  - name: one',
        '    targets: [eu-1]',
        '    deploy: "true"',
        '  - name: rest',
        '    targets: "*"',
        '    deploy: "true"',
      ],
      [
        'printf \'{"name":"eu-1","dir":"%s","region":"%s"}\\n\' "$(pwd)" "$ROLLOUT_VAR_REGION"',
        'echo',
        'echo \'{"name":"eu-2","port":8080}\'',
        'echo "$ROLLOUT_PLAN_FILE" > plan-file.txt',
      ].join('\n'),
    );
    const plan = await loadPlan({ cwd: dir, env: {} });
    const real = await fs.realpath(dir);
    expect(plan.targets).toEqual([
      { name: 'eu-1', attributes: { dir: expect.stringMatching(new RegExp(`^(${dir}|${real})$`)), region: 'eu; touch pasted' } },
      { name: 'eu-2', attributes: { port: '8080' } },
    ]);
    expect(plan.stages.map((s) => s.fleet?.batches)).toEqual([[['eu-1']], [['eu-2']]]);
    expect((await fs.readFile(path.join(dir, 'plan-file.txt'), 'utf8')).trim()).toBe(path.join(dir, 'rollout.config.yml'));
    await expect(fs.stat(path.join(dir, 'pasted'))).rejects.toThrow();
  });

  it('a --var override reaches the command, and checks get ${target.…} filled in from its attributes', async () => {
    await write(
      [
        'vars: { region: eu }',
        'targets:',
        '  from: sh list-hosts.sh',
        'stages:',
        '  - name: all',
        '    targets: "*"',
        '    deploy: "true"',
        '    health: [{ url: "http://${target.host}:${target.port}/healthz" }]',
      ],
      // CRLF line ends, as a Windows-made script prints them, are fine too.
      'printf \'{"name":"%s-1","host":"a.internal","port":81}\\r\\n\\r\\n{"name":"%s-2","host":"b.internal","port":82}\\r\\n\' "$ROLLOUT_VAR_REGION" "$ROLLOUT_VAR_REGION"',
    );
    const plan = await loadPlan({ cwd: dir, env: {}, vars: { region: 'us' } });
    expect(plan.targets.map((t) => t.name)).toEqual(['us-1', 'us-2']);
    expect(plan.targetsFrom).toBe('sh list-hosts.sh');
    const urls = Object.entries(plan.stages[0]?.fleet?.targetChecks ?? {}).map(([name, checks]) => [
      name,
      (checks[0]?.spec as { url?: string } | undefined)?.url,
    ]);
    expect(urls).toEqual([
      ['us-1', 'http://a.internal:81/healthz'],
      ['us-2', 'http://b.internal:82/healthz'],
    ]);
  });

  it('a failing command: its exit status and first stderr lines (escaped) at from:, with the plan’s other problems, and no noise from stages', async () => {
    const script = ["printf 'cmdb \\033[31munreachable\\033[0m\\n' >&2", 'for i in 1 2 3 4 5 6; do echo "line $i" >&2; done', 'exit 3'].join('\n');
    expect(
      await problems(['targets:', '  from: sh list-hosts.sh', 'stages:', '  - name: one', '    targets: [eu-1]', '    deploy: "true"', '    soak: 5x'], script),
    ).toEqual([
      '2:9 targets.from: the inventory command exited with code 3; its stderr: "cmdb \\u001b[31munreachable\\u001b[0m" / "line 1" / "line 2" / "line 3" / "line 4" / …',
      '7:11 stages.0.soak: expected a duration like 250ms, 30s, 5m, 1h or 1m30s',
    ]);
  });

  it('secrets in what is shown of its output are masked: the plan’s secrets and secret-looking vars', async () => {
    await write(
      ['vars: { cmdb_token: tok-from-var }', 'secrets: [CMDB_PASSWORD]', 'targets:', '  from: sh list-hosts.sh', ...STAGES],
      'echo "{\\"name\\": \\"h1\\", \\"t\\": [\\"$ROLLOUT_VAR_CMDB_TOKEN\\"]}"; echo "401 for hunter2-pw" >&2; exit 1',
    );
    const result = await validateInProcess(dir, 'rollout.config.yml', { CMDB_PASSWORD: 'hunter2-pw' });
    expect(result.stderr).toContain('its stderr: "401 for ***"');
    expect(result.stderr).not.toContain('hunter2-pw');
    await write(
      ['vars: { cmdb_token: tok-from-var }', 'targets:', '  from: sh list-hosts.sh', ...STAGES],
      'echo "{\\"name\\": \\"h1\\", \\"t\\": [\\"$ROLLOUT_VAR_CMDB_TOKEN\\"]} x"',
    );
    const line = await validateInProcess(dir, 'rollout.config.yml');
    expect(line.stderr).toContain('line 1 of its output is not JSON: "{\\"name\\": \\"h1\\", \\"t\\": [\\"***\\"]} x"');
    expect(line.stderr).not.toContain('tok-from-var');
  });

  it('a bad output line is named by its number; stages still select the good targets', async () => {
    expect(
      await problems(
        ['targets:', '  from: sh list-hosts.sh', 'stages:', '  - name: one', '    targets: [eu-1, eu-2]', '    deploy: "true"'],
        'echo \'{"name":"eu-1"}\'; echo \'{"name":"eu-2", "port": [1]}\'; echo \'{"name":\'',
      ),
    ).toEqual([
      '2:9 targets.from: line 2 of its output gives "eu-2" an attribute "port" that is a list; attributes are text, numbers or true/false',
      '2:9 targets.from: line 3 of its output is not JSON: "{\\"name\\":"',
    ]);
  });

  it('a command that runs too long: its whole process group is killed, and the timeout is said', async () => {
    const script = 'sleep 30 & echo $! > sleeper.pid; wait';
    expect(await problems(['targets:', '  from: sh list-hosts.sh', '  timeout: 300ms', ...STAGES], script)).toEqual([
      '2:9 targets.from: the inventory command did not finish within 300ms (its process group was killed); make it faster or raise targets.timeout',
    ]);
    const sleeper = Number(await fs.readFile(path.join(dir, 'sleeper.pid'), 'utf8'));
    expect(await waitFor(() => !isProcessAlive(sleeper))).toBe(true);
  });

  it('output past 10 MiB is cut off with the command, not read into memory', async () => {
    expect(await problems(['targets:', '  from: yes \'{"name":"eu-1"}\'', ...STAGES])).toEqual([
      '2:9 targets.from: the inventory command printed more than 10 MiB; that is the limit (its process group was killed)',
    ]);
  });

  it('a command killed by a signal, and one that does not exist', async () => {
    expect(await problems(['targets:', '  from: kill -9 $$', ...STAGES])).toEqual(['2:9 targets.from: the inventory command was killed by SIGKILL']);
    expect(await problems(['targets:', '  from: ./no-such-inventory', ...STAGES])).toEqual([
      expect.stringMatching(/^2:9 targets\.from: the inventory command exited with code 127; its stderr: ".*no-such-inventory.*not found"$/),
    ]);
  });

  it('the shape: unknown keys, a zero timeout, and a map with a wrong attribute still described as a map', async () => {
    expect(await problems(['targets:', '  from: "true"', '  timout: 5s', '  timeout: 0', '  eu-1: {}', ...STAGES])).toEqual([
      '2:9 targets.from: the inventory command printed no targets (one JSON object per line, like {"name": "eu-1", "host": "eu-1.internal"})',
      '3:3 targets.timout: unknown key (did you mean "timeout"?)',
      '4:12 targets.timeout: must be longer than 0: it limits the inventory command (leave it out for the 30s default)',
      '5:3 targets.eu-1: unknown key',
    ]);
    // Found by validate-fuzz: `targets:` left empty, or not a mapping at all, is described, never a crash.
    const noTargets = '4:14 stages.0.targets: the plan names no targets: list them under the top-level `targets:` first';
    expect(await problems(['targets:', ...STAGES])).toEqual(['1:9 targets: must be a mapping (key: value), not empty (null)', noTargets]);
    expect(await problems(['targets: [a]', ...STAGES])).toEqual(['1:10 targets: must be a mapping (key: value), not a list', noTargets]);
    expect(await problems(['targets: { from: 5 }', ...STAGES])).toEqual(['1:18 targets.from: must be text, not a whole number']);
    expect(await problems(['targets:', '  eu-1: { host: {}, port: [] }', '  eu-2: { host: b }', ...STAGES])).toEqual([
      '2:17 targets.eu-1.host: must be text, not a mapping',
      '2:27 targets.eu-1.port: must be text, not a list',
    ]);
  });
});
