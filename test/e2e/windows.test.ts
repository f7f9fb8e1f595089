import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { exists, readLines, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

const frozenPlan = `name: shop
windows:
  timezone: Europe/Berlin
  deny:
    - {from: 2000-01-01, to: 2099-12-31, reason: test freeze}
stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 0
  - name: full
    deploy: echo full >> deploy.log
    soak: 0
`;

describe('deploy windows through the CLI', { timeout: 30_000 }, () => {
  const ws = useWorkspace();

  it('a freeze stops the run before its first stage with exit 6, and says when and how to continue', async () => {
    await writePlan(ws.dir, frozenPlan);
    const result = await runCli(['run'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(6);
    expect(result.all).toContain('canary ⏸ not started: blocked by deny "test freeze" (2000-01-01 – 2099-12-31); no allowed time within a year');
    expect(result.all).not.toMatch(STACK_TRACE);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('blocked');
    expect(state.blocked).toMatchObject({ stage: 'canary', nextOpenAt: null });
    expect(await exists(path.join(ws.dir, 'deploy.log'))).toBe(false);

    const status = await runCli(['status'], { cwd: ws.dir });
    expect(status.stdout).toContain('rollout resume --override-window --reason');
  });

  it('resume --override-window needs a reason, then deploys and records who and why', async () => {
    await writePlan(ws.dir, frozenPlan);
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(6);

    const noReason = await runCli(['resume', '--override-window'], { cwd: ws.dir });
    expect(noReason.exitCode, describeResult(noReason)).toBe(2);
    expect(noReason.stderr).toContain('--override-window needs --reason TEXT');

    const resumed = await runCli(['resume', '--override-window', '--reason', 'hotfix INC-42'], { cwd: ws.dir, env: { GITHUB_ACTOR: 'octocat' } });
    expect(resumed.exitCode, describeResult(resumed)).toBe(0);
    expect(resumed.all).toContain('window overridden by octocat');
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'full']);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('succeeded');
    expect(state.blocked).toBeNull();
    expect(state.windowOverrides).toEqual([
      expect.objectContaining({ stage: 'canary', reason: 'hotfix INC-42', by: 'octocat' }),
      expect.objectContaining({ stage: 'full', reason: 'hotfix INC-42', by: 'octocat' }),
    ]);
  });

  it('--json carries stage.blocked and window.overridden with their documented fields', async () => {
    await writePlan(ws.dir, frozenPlan);
    const blocked = await runCli(['run', '--json'], { cwd: ws.dir });
    const fields = (stdout: string, type: string) =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((event) => event.type === type)
        .map((event) => Object.keys(event).sort());
    expect(fields(blocked.stdout, 'stage.blocked')).toEqual([['index', 'message', 'nextOpenAt', 'ref', 'rule', 'runId', 'stage', 'time', 'type']]);
    const resumed = await runCli(['resume', '--json', '--override-window', '--reason', 'r'], { cwd: ws.dir });
    expect(fields(resumed.stdout, 'window.overridden')[0]).toEqual(['by', 'index', 'reason', 'ref', 'rule', 'runId', 'stage', 'time', 'type']);
  });

  it('onBlocked: pause stops at a window gate (exit 7); promote is refused while closed (exit 6), goes through with an override', async () => {
    await writePlan(ws.dir, frozenPlan.replace('  deny:\n', '  onBlocked: pause\n  deny:\n'));
    const run = await runCli(['run'], { cwd: ws.dir });
    expect(run.exitCode, describeResult(run)).toBe(7);
    const paused = await readState(defaultStatePath(ws.dir));
    expect(paused.status).toBe('paused');
    expect(paused.gate).toMatchObject({
      stage: 'canary',
      kind: 'window',
      rule: 'deny "test freeze" (2000-01-01 – 2099-12-31)',
      nextOpenAt: null,
      decision: null,
    });
    expect(run.stdout).toContain(`rollout promote --gate ${paused.gate?.id} --override-window --reason`);
    expect(await exists(path.join(ws.dir, 'deploy.log'))).toBe(false);

    const closed = await runCli(['promote', '--gate', String(paused.gate?.id)], { cwd: ws.dir });
    expect(closed.exitCode, describeResult(closed)).toBe(6);
    expect(closed.stderr).toContain("waits for canary's deploy window, which is still closed");
    expect(closed.stderr).not.toMatch(STACK_TRACE);
    expect((await readState(defaultStatePath(ws.dir))).gate?.decision, 'the gate stays open and unspent').toBeNull();

    const promoted = await runCli(['promote', '--override-window', '--reason', 'hotfix INC-7'], { cwd: ws.dir, env: { GITHUB_ACTOR: 'octocat' } });
    expect(promoted.exitCode, describeResult(promoted)).toBe(0);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'full']);
    const done = await readState(defaultStatePath(ws.dir));
    expect(done.status).toBe('succeeded');
    expect(done.gate?.decision).toMatchObject({ decision: 'promote', by: 'octocat', reason: 'hotfix INC-7' });
    expect(done.windowOverrides?.map((o) => [o.stage, o.by, o.reason])).toEqual([
      ['canary', 'octocat', 'hotfix INC-7'],
      ['full', 'octocat', 'hotfix INC-7'],
    ]);
  });

  it('rollout plan shows the windows and the next allowed time', async () => {
    await writePlan(ws.dir, frozenPlan);
    const result = await runCli(['plan'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toContain('Deploy windows (Europe/Berlin; checked as each stage starts; when blocked: fail)');
    expect(result.stdout).toContain('deny  2000-01-01 – 2099-12-31 (test freeze)');
    expect(result.stdout).toMatch(
      /closed now \(\w{3} \d{4}-\d\d-\d\d \d\d:\d\d GMT\+[12]\): deny "test freeze" \(2000-01-01 – 2099-12-31\); no allowed time within a year/,
    );
  });

  it('a bad window rule is a plan error naming the line and key', async () => {
    await writePlan(ws.dir, frozenPlan.replace('timezone: Europe/Berlin', 'timezone: Mars/Olympus'));
    const result = await runCli(['validate'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toMatch(/rollout\.config\.yml:3:\d+ windows\.timezone: unknown time zone Mars\/Olympus/);
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });
});
