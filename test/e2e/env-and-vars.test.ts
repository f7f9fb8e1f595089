import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

async function readEnvFile(file: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const line of (await fs.readFile(file, 'utf8')).split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined) env[match[1]] = match[2] ?? '';
  }
  return env;
}

describe('what commands receive', { timeout: 30_000 }, () => {
  let dir: string;
  let elsewhere: string;

  beforeEach(async () => {
    dir = await makeTempDir();
    elsewhere = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
    await removeTempDir(elsewhere);
  });

  it('passes the ROLLOUT_* variables, the vars and the parent env, and runs in the plan directory', async () => {
    const planFile = await writePlan(
      dir,
      `name: env-plan
vars:
  image_tag: v1
  db-host: db.internal
stages:
  - name: canary
    deploy: env > env-deploy-1.txt; pwd > cwd.txt
    soak: 0
  - name: broken
    deploy: env > env-deploy-2.txt; exit 1
    rollback: env > env-rollback-2.txt
`,
      'plans/rollout.config.yml',
    );
    const planDir = path.dirname(planFile);

    const result = await runCli(['run', '--config', planFile, '--var', 'image_tag=v2'], {
      cwd: elsewhere,
      env: { FROM_PARENT: 'yes' },
    });

    expect(result.exitCode, describeResult(result)).toBe(1);
    const state = await readState(defaultStatePath(planDir));
    expect((await fs.readFile(path.join(planDir, 'cwd.txt'), 'utf8')).trim()).toBe(planDir);

    const deploy1 = await readEnvFile(path.join(planDir, 'env-deploy-1.txt'));
    expect(deploy1).toMatchObject({
      ROLLOUT_RUN_ID: state.runId,
      ROLLOUT_STAGE: 'canary',
      ROLLOUT_STAGE_INDEX: '1',
      ROLLOUT_STAGE_COUNT: '2',
      ROLLOUT_PHASE: 'deploy',
      ROLLOUT_VAR_IMAGE_TAG: 'v2',
      ROLLOUT_VAR_DB_HOST: 'db.internal',
      FROM_PARENT: 'yes',
    });
    expect([state.plan.name, state.plan.path, planFile]).toContain(deploy1.ROLLOUT_PLAN);

    const deploy2 = await readEnvFile(path.join(planDir, 'env-deploy-2.txt'));
    expect(deploy2).toMatchObject({
      ROLLOUT_RUN_ID: state.runId,
      ROLLOUT_STAGE: 'broken',
      ROLLOUT_STAGE_INDEX: '2',
      ROLLOUT_STAGE_COUNT: '2',
      ROLLOUT_PHASE: 'deploy',
    });

    const rollback2 = await readEnvFile(path.join(planDir, 'env-rollback-2.txt'));
    expect(rollback2).toMatchObject({
      ROLLOUT_RUN_ID: state.runId,
      ROLLOUT_STAGE: 'broken',
      ROLLOUT_STAGE_INDEX: '2',
      ROLLOUT_PHASE: 'rollback',
      ROLLOUT_VAR_IMAGE_TAG: 'v2',
    });

    // Nothing was written to the directory the CLI was started from.
    expect(await fs.readdir(elsewhere)).toEqual([]);
  });

  it('never lets a --var value reach the shell as code', async () => {
    const hostile = '$(touch pwned1)`touch pwned2`;touch pwned3 && touch pwned4 #\'"';
    await writePlan(
      dir,
      `vars:
  x: safe
stages:
  - name: canary
    deploy: printf '%s' "$ROLLOUT_VAR_X" > x.txt; printf '%s' '\${vars.x}' > literal.txt
    soak: 0
`,
    );

    const result = await runCli(['run', '--var', `x=${hostile}`], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    const files = await fs.readdir(dir);
    expect(files.filter((f) => f.startsWith('pwned'))).toEqual([]);
    expect(await fs.readFile(path.join(dir, 'x.txt'), 'utf8')).toBe(hostile);
    // Command text is never templated: the placeholder arrives untouched.
    expect(await fs.readFile(path.join(dir, 'literal.txt'), 'utf8')).toBe('${vars.x}');
  });

  it('runs nothing for the simplest injection, --var x=$(touch pwned)', async () => {
    await writePlan(
      dir,
      `vars:
  x: default
stages:
  - name: canary
    deploy: printf '%s' "$ROLLOUT_VAR_X" > x.txt
    soak: 0
`,
    );

    const result = await runCli(['run', '--var', 'x=$(touch pwned)'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(await fs.readdir(dir)).not.toContain('pwned');
    expect(await fs.readFile(path.join(dir, 'x.txt'), 'utf8')).toBe('$(touch pwned)');
  });
});

describe('vars and env in health checks', { timeout: 30_000 }, () => {
  const ws = useWorkspace();

  it('substitutes ${vars.NAME} and ${env.NAME} in the url and headers', async () => {
    await writePlan(
      ws.dir,
      `vars:
  health_path: wrong
stages:
  - name: canary
    deploy: "true"
    soak: 100ms
    health:
      - url: ${ws.server.url('/')}\${vars.health_path}?region=\${env.ROLLOUT_E2E_REGION}
        interval: 50ms
        headers:
          Authorization: Bearer \${env.ROLLOUT_E2E_TOKEN}
          X-Tag: \${vars.health_path}
`,
    );

    const result = await runCli(['run', '--var', 'health_path=ready'], {
      cwd: ws.dir,
      env: { ROLLOUT_E2E_TOKEN: 's3cret', ROLLOUT_E2E_REGION: 'eu' },
    });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(ws.server.requests.length).toBeGreaterThan(0);
    for (const request of ws.server.requests) {
      expect(request.path).toBe('/ready?region=eu');
      expect(request.headers.authorization).toBe('Bearer s3cret');
      expect(request.headers['x-tag']).toBe('ready');
    }
  });
});
