import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli, startCli, toCliResult } from '../helpers/cli.js';
import { defaultStatePath, waitForState } from '../helpers/state.js';
import { writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

describe('rollout run --report: written however the run ends', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('writes the report of an interrupted run, its soak shown as unfinished', async () => {
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: echo canary
    soak: 60s
    health:
      - url: ${ws.server.url('/healthz')}
        interval: 100ms
`,
    );
    const cli = startCli(['run', '--report', 'report.html'], { cwd: ws.dir });
    await waitForState(defaultStatePath(ws.dir), (s) => (s.stages[0]?.checkResults.polls ?? 0) >= 2);
    cli.kill('SIGINT');
    const result = toCliResult(await cli);
    expect(result.exitCode, describeResult(result)).toBe(130);
    const html = await readFile(path.join(ws.dir, 'report.html'), 'utf8');
    expect(html).toMatch(/data-testid="outcome">interrupted</);
    expect(html).toContain('class="marker marker-interrupt"');
    expect(html).toMatch(/class="bar bar-soak bar-open"/);
  });

  it('a run with no event log (older version, or rotated away) still gets a report, from its state file', async () => {
    await writePlan(ws.dir, 'stages:\n  - name: canary\n    deploy: echo canary\n    soak: 0s\n');
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    for (const name of await readdir(path.join(ws.dir, '.rollout'))) if (name.includes('.events-')) await rm(path.join(ws.dir, '.rollout', name));
    const result = await runCli(['report', '--out', 'r.html'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const html = await readFile(path.join(ws.dir, 'r.html'), 'utf8');
    expect(html).toContain('rebuilt from its state file');
    expect(html).toMatch(/data-stage="canary" data-status="passed"/);
  });

  it('says clearly when nothing has run yet: exit 2', async () => {
    await writePlan(ws.dir, 'stages:\n  - name: canary\n    deploy: echo canary\n');
    const result = await runCli(['report'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toMatch(/no recorded run at .*state\.json: nothing has run with this state file yet/);
  });
});
