import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { writePlan, yamlString } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

/** GitLab's dotenv report as GitLab reads it: `KEY=value`, one per line. */
function parseDotenv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        expect(line).toMatch(/^[A-Z_][A-Z0-9_]*=/);
        return [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)];
      }),
  );
}

const failingPlan = (url: string) => `name: shop
secrets: [DEPLOY_TOKEN]
stages:
  - name: canary
    deploy: ${yamlString('echo first line\necho "second line"')}
    rollback: echo undo canary
    soak: 0
    health: [{ url: "${url}" }]
  - name: full
    deploy: exit 3
    rollback: echo undo full
`;

describe('GitLab CI', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('writes the outcome as a dotenv report; a multi-line command stays inside its section header line', async () => {
    await writePlan(ws.dir, failingPlan(ws.server.url('/ok')));
    const result = await runCli(['run'], { cwd: ws.dir, env: { GITLAB_CI: 'true', DEPLOY_TOKEN: 'gitlab-secret-value' } });
    expect(result.exitCode, describeResult(result)).toBe(1);

    const state = await readState(defaultStatePath(ws.dir));
    expect(parseDotenv(await fs.readFile(path.join(ws.dir, 'rollout.env'), 'utf8'))).toEqual({
      ROLLOUT_STATUS: 'rolled_back',
      ROLLOUT_FAILED_STAGE: 'full',
      ROLLOUT_RUN_ID: state.runId,
      ROLLOUT_FAILURE_REASON: 'deploy exited with code 3',
      ROLLOUT_MESSAGE: 'rollout shop: failed at full, rolled back',
      ROLLOUT_PAUSED: 'false',
      ROLLOUT_GATE: '',
    });
    const header = result.stderr.split('\n').find((line) => line.includes('section_start:') && line.includes('rollout_canary_deploy'));
    expect(header).toContain('canary deploy: echo first line ↵ echo "second line"');
    // The command's second line never starts a log line of its own (it would land outside the header).
    expect(result.stderr).not.toMatch(/^echo "second line"/m);
  });

  it('a plan error still writes the dotenv report: status invalid, with the message', async () => {
    await writePlan(ws.dir, 'stages:\n  - name: canary\n');
    const result = await runCli(['run'], { cwd: ws.dir, env: { GITLAB_CI: 'true', ROLLOUT_DOTENV: 'out/deploy.env' } });
    expect(result.exitCode, describeResult(result)).toBe(2);
    const dotenv = parseDotenv(await fs.readFile(path.join(ws.dir, 'out', 'deploy.env'), 'utf8').catch(() => ''));
    expect(dotenv.ROLLOUT_STATUS).toBe('invalid');
    expect(dotenv.ROLLOUT_FAILURE_REASON).toContain('stages.0.deploy');
  });
});

describe('Buildkite', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  /** A `buildkite-agent` on PATH that records each call (arguments, then stdin), as the real one is called. */
  async function fakeAgent(): Promise<{ env: Record<string, string>; calls: () => Promise<{ args: string; stdin: string }[]> }> {
    const bin = path.join(ws.dir, 'agent-bin');
    const log = path.join(ws.dir, 'agent-calls.json');
    await fs.mkdir(bin);
    await fs.writeFile(
      path.join(bin, 'buildkite-agent'),
      `#!/usr/bin/env node
const fs = require('node:fs');
const stdin = fs.readFileSync(0, 'utf8');
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args: process.argv.slice(2).join(' '), stdin }) + '\\n');
`,
      { mode: 0o755 },
    );
    return {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
      calls: async () =>
        (await fs.readFile(log, 'utf8').catch(() => ''))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { args: string; stdin: string }),
    };
  }

  it('groups each command, opens the failing one (^^^ +++), annotates with the summary and registers secrets with the redactor', async () => {
    const agent = await fakeAgent();
    await writePlan(ws.dir, failingPlan(ws.server.url('/ok')));
    const result = await runCli(['run'], { cwd: ws.dir, env: { BUILDKITE: 'true', DEPLOY_TOKEN: 'buildkite-secret-value', ...agent.env } });
    expect(result.exitCode, describeResult(result)).toBe(1);

    const lines = result.stderr.split('\n');
    expect(lines).toContain('--- canary deploy: echo first line ↵ echo "second line"');
    expect(lines).toContain('--- full deploy: exit 3');
    expect(lines).toContain('--- canary soak');
    const failedAt = lines.findIndex((line) => line.includes('full ✗ failed'));
    expect(lines.slice(failedAt + 1)).toContain('^^^ +++');

    const state = await readState(defaultStatePath(ws.dir));
    const calls = await agent.calls();
    expect(calls.map((call) => call.args)).toEqual(['redactor add --format json', `annotate --style error --context rollout-${state.runId}`]);
    expect(JSON.parse(calls[0]?.stdin ?? '')).toEqual({ DEPLOY_TOKEN: 'buildkite-secret-value' });
    expect(calls[1]?.stdin).toContain('rollout shop: failed at full, rolled back');
    expect(calls[1]?.stdin).toMatch(/^\| full \| .*rolled back \|/m);
  });

  it('a successful run is annotated with --style success', async () => {
    const agent = await fakeAgent();
    await writePlan(ws.dir, 'stages:\n  - name: canary\n    deploy: "true"\n    soak: 0\n');
    const result = await runCli(['run'], { cwd: ws.dir, env: { BUILDKITE: 'true', ...agent.env } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect((await agent.calls()).map((call) => call.args)).toEqual([expect.stringMatching(/^annotate --style success --context rollout-/)]);
  });

  it('without the agent on PATH (a docker plugin without mount-buildkite-agent), warns that secrets reach the agent unredacted', async () => {
    await writePlan(ws.dir, 'secrets: [DEPLOY_TOKEN]\nstages:\n  - name: canary\n    deploy: "true"\n    soak: 0\n');
    const result = await runCli(['run'], { cwd: ws.dir, env: { BUILDKITE: 'true', DEPLOY_TOKEN: 'buildkite-secret-value', PATH: '/usr/bin:/bin' } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stderr).toMatch(/warning: buildkite-agent is not on PATH.*mount-buildkite-agent: true/);
  });
});
