import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, startCli } from '../helpers/cli.js';
import { runnerView } from '../helpers/github-runner.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { waitFor } from '../helpers/processes.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { exists, makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/** Parses `$GITHUB_OUTPUT` in both its forms (`name=value` and `name<<DELIM` … `DELIM`). */
function parseGithubOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] ?? '', i + 1);
      if (end === -1) throw new Error(`unterminated ${line}`);
      out[heredoc[1] ?? ''] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    } else if (line !== '') throw new Error(`bad GITHUB_OUTPUT line: ${line}`);
  }
  return out;
}

/** Text between `start` and the next `end` line, or null when the markers are missing. */
function between(text: string, start: RegExp, end: RegExp): string | null {
  const lines = text.split('\n');
  const from = lines.findIndex((l) => start.test(l));
  if (from === -1) return null;
  const to = lines.findIndex((l, i) => i > from && end.test(l));
  return to === -1 ? null : lines.slice(from + 1, to).join('\n');
}

describe('CI vendors', { timeout: 40_000 }, () => {
  let dir: string;
  let server: HealthServer;
  let plan: string;
  beforeEach(async () => {
    dir = await makeTempDir();
    server = await startHealthServer(200);
    plan = `name: shop
defaults: { soak: 200ms, health: { interval: 50ms, timeout: 1s, failureThreshold: 2 } }
stages:
  - name: canary
    deploy: printf 'canary %s\\n' deploying-now
    rollback: printf 'canary %s\\n' undoing-now
    health: [{ name: canary-health, url: "${server.url('/canary')}" }]
  - name: full
    deploy: printf 'full %s\\n' deploying-now; ${server.setStatusCommand(503)}
    rollback: printf 'full %s\\n' undoing-now
    health: [{ name: full-health, url: "${server.url('/full')}" }]
`;
  });
  afterEach(async () => {
    await server.close();
    await removeTempDir(dir);
  });

  async function githubRun(extraArgs: string[] = []) {
    await writePlan(dir, plan);
    const summary = path.join(dir, 'step-summary.md');
    const output = path.join(dir, 'github-output');
    await fs.writeFile(summary, '# earlier step\n');
    await fs.writeFile(output, 'earlier=kept\n');
    const result = await runCli(['run', ...extraArgs], { cwd: dir, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output } });
    return { result, summary: await fs.readFile(summary, 'utf8'), outputs: parseGithubOutput(await fs.readFile(output, 'utf8')) };
  }

  it('GitHub Actions: groups command output, annotates the failed stage, appends a job summary and step outputs', async () => {
    const { result, summary, outputs } = await githubRun();
    expect(result.exitCode, describeResult(result)).toBe(1);
    const err = result.stderr;
    const shown = runnerView(err).lines.join('\n'); // the log as the runner shows it

    expect(between(shown, /^::group::canary deploy: /, /^::endgroup::$/)).toBe('canary | canary deploying-now');
    expect(between(shown, /^::group::full deploy: /, /^::endgroup::$/)).toBe('full | full deploying-now');
    expect(between(shown, /^::group::full rollback: /, /^::endgroup::$/)).toBe('full | full undoing-now');
    expect(between(shown, /^::group::canary rollback: /, /^::endgroup::$/)).toBe('canary | canary undoing-now');
    expect(err.match(/^::group::/gm)?.length).toBe(4);
    expect(err.match(/^::endgroup::$/gm)?.length).toBe(4);
    expect(err).toMatch(/^::error title=rollout%3A stage full failed::http check full-health failed 2 times in a row: HTTP 503 \(expected 2xx\): unhealthy$/m);

    const state = await readState(defaultStatePath(dir));
    expect(outputs).toEqual({
      earlier: 'kept',
      status: 'rolled_back',
      'failed-stage': 'full',
      'run-id': state.runId,
      'failure-reason': 'http check full-health failed 2 times in a row: HTTP 503 (expected 2xx): unhealthy',
      message: 'rollout shop: failed at full, rolled back: http check full-health failed 2 times in a row: HTTP 503 (expected 2xx): unhealthy',
      paused: 'false',
      gate: '',
    });

    expect(summary.startsWith('# earlier step\n')).toBe(true);
    expect(summary).toContain('rollout shop: failed at full, rolled back');
    expect(summary).toContain(state.runId);
    expect(summary).toMatch(/^\| Stage \| Status \| Duration \| Checks \| Polls \| Failed polls \|$/m);
    expect(summary).toMatch(/^\| canary \| .*rolled back \| [^|]+ \| canary-health ✅ HTTP 200 in \d+ms \| \d+ \| 0 \|$/m);
    expect(summary).toMatch(/^\| full \| .*rolled back \| [^|]+ \| full-health ❌ HTTP 503 \(expected 2xx\): unhealthy \| 2 \| 2 \|$/m);
    expect(summary).toContain('**Failed at full:** http check full-health failed 2 times in a row');
  });

  it('GitHub Actions: a successful run reports status succeeded and an empty failed-stage; --json keeps stdout pure', async () => {
    plan = plan.replace(`; ${server.setStatusCommand(503)}`, '');
    const { result, summary, outputs } = await githubRun(['--json']);
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(outputs).toMatchObject({ status: 'succeeded', 'failed-stage': '', 'failure-reason': '' });
    expect(summary).toContain('rollout shop: succeeded');
    expect(result.stderr).not.toContain('::error');
    for (const line of result.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(result.stderr).toMatch(/^::group::canary deploy: /m);
  });

  it('GitLab CI: each command output in a collapsible section', async () => {
    await writePlan(dir, plan);
    const result = await runCli(['run'], { cwd: dir, env: { GITLAB_CI: 'true' } });
    expect(result.exitCode, describeResult(result)).toBe(1);
    const err = result.stderr;
    for (const [name, text] of [
      ['rollout_canary_deploy', 'canary | canary deploying-now'],
      ['rollout_full_deploy', 'full | full deploying-now'],
      ['rollout_full_rollback', 'full | full undoing-now'],
      ['rollout_canary_rollback', 'canary | canary undoing-now'],
    ] as const) {
      const body = between(
        err,
        new RegExp(`^\\u001b\\[0Ksection_start:\\d+:${name}\\[collapsed=true\\]\\r\\u001b\\[0K`),
        new RegExp(`^\\u001b\\[0Ksection_end:\\d+:${name}\\r\\u001b\\[0K$`),
      );
      expect(body, `${name} in:\n${err}`).toBe(text);
    }
    expect(err).not.toContain('::group::');
  });

  it('outside a known CI vendor, no markers at all', async () => {
    await writePlan(dir, plan);
    const result = await runCli(['run'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(result.stderr).not.toContain('::group::');
    expect(result.stderr).not.toContain('section_start');
  });
});

describe('CI vendors: a cancelled job', { timeout: 40_000 }, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('GitHub Actions: SIGTERM mid-deploy still closes the group and sets status interrupted', async () => {
    await writePlan(dir, 'stages:\n  - name: canary\n    deploy: echo started > started.txt; echo waiting; exec sleep 30\n');
    const summary = path.join(dir, 'summary.md');
    const output = path.join(dir, 'output');
    const cli = startCli(['run'], { cwd: dir, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output } });
    expect(await waitFor(() => exists(path.join(dir, 'started.txt')))).toBe(true);
    cli.kill('SIGTERM');
    const result = await cli;
    expect(result.exitCode, result.all).toBe(143);
    expect(between(runnerView(result.stderr).lines.join('\n'), /^::group::canary deploy: /, /^::endgroup::$/)).toMatch(/^canary \| waiting\n/);
    expect(parseGithubOutput(await fs.readFile(output, 'utf8'))).toMatchObject({ status: 'interrupted', 'failed-stage': '' });
    expect(await fs.readFile(summary, 'utf8')).toMatch(/interrupted[\s\S]*\| canary \|/);
  });
});
