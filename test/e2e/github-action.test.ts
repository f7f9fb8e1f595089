import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { binPath, repoRoot } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

interface ActionStep {
  id?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, unknown>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

/** action.yml's `rollout run` step, executed with bash the way the runner does, inputs as env. */
describe('action.yml', { timeout: 40_000 }, () => {
  let dir: string;
  let server: HealthServer;
  let action: Action;
  beforeEach(async () => {
    dir = await makeTempDir();
    server = await startHealthServer(200);
    action = parse(await fs.readFile(path.join(repoRoot, 'action.yml'), 'utf8')) as Action;
  });
  afterEach(async () => {
    await server.close();
    await removeTempDir(dir);
  });

  it('declares the documented inputs and outputs', () => {
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['config', 'vars', 'state', 'working-directory']));
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['status', 'failed-stage', 'run-id']));
    for (const output of Object.values(action.outputs)) expect(output.value).toMatch(/^\$\{\{ steps\.run\.outputs\.[a-z-]+ \}\}$/);
  });

  it('its run step passes config, state and multi-line vars to `rollout run` and yields the step outputs', async () => {
    const step = action.runs.steps.find((s) => s.id === 'run');
    if (!step?.run) throw new Error('no step with id "run"');
    await writePlan(
      dir,
      `vars: { image_tag: v1, region: us }\nstages:\n  - name: only\n    deploy: echo "$ROLLOUT_VAR_IMAGE_TAG $ROLLOUT_VAR_REGION" >> deployed.txt\n    soak: 0\n    health: [{ url: "${server.url()}" }]\n`,
      'deploy/plan.yml',
    );
    const output = path.join(dir, 'github-output');
    await fs.writeFile(output, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      NO_COLOR: '1',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
      INPUT_CONFIG: 'deploy/plan.yml',
      INPUT_STATE: 'state/rollout.json',
      INPUT_VARS: 'image_tag=v2 with space\n  region=eu-west-1\n\n',
      INPUT_ARGS: '--verbose',
      ROLLOUT_BIN: binPath,
    };
    const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { cwd: dir, env, extendEnv: false, reject: false });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(await readLines(path.join(dir, 'deploy', 'deployed.txt'))).toEqual(['v2 with space eu-west-1']);
    const state = JSON.parse(await fs.readFile(path.join(dir, 'state', 'rollout.json'), 'utf8')) as { runId: string };
    const outputs = await fs.readFile(output, 'utf8');
    expect(outputs).toMatch(/^status<<(ghadelimiter_\w+)\nsucceeded\n\1$/m);
    expect(outputs).toContain(`\n${state.runId}\n`);
    expect(result.stderr).toMatch(/only ✓ .*: HTTP 200 in \d+ms/);
  });
});
