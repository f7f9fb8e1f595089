import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';
import { useWorkspace } from '../helpers/workspace.js';

const gatedPlan = (approval = 'true') => `name: shop
stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 0
    approval: ${approval}
  - name: half
    deploy: echo half >> deploy.log
    rollback: echo half >> rollback.log
    soak: 0
  - name: full
    deploy: echo full >> deploy.log
    soak: 0
`;

/** A later CI job: a fresh directory holding the plan and the restored state, nothing else. */
async function laterJob(from: string): Promise<string> {
  const dir = await makeTempDir();
  await fs.copyFile(path.join(from, 'rollout.config.yml'), path.join(dir, 'rollout.config.yml'));
  await fs.cp(path.join(from, '.rollout'), path.join(dir, '.rollout'), { recursive: true });
  return dir;
}

describe('gates: a rollout that waits for a person across CI jobs', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('stops at the gate with exit 7 and the command that continues; another job promotes it and records who', async () => {
    await writePlan(ws.dir, gatedPlan('{timeout: 72h, message: "look at the canary dashboard"}'));
    const run = await runCli(['run'], { cwd: ws.dir });
    expect(run.exitCode, describeResult(run)).toBe(7);
    const paused = await readState(defaultStatePath(ws.dir));
    expect(paused.status).toBe('paused');
    const gate = paused.gate;
    expect(gate).toMatchObject({ stage: 'canary', kind: 'approval', reason: 'look at the canary dashboard', decision: null });
    expect(run.stdout).toContain(`rollout promote --gate ${gate?.id}`);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary']);
    const status = await runCli(['status'], { cwd: ws.dir });
    expect(status.stdout).toContain(`Waiting at gate ${gate?.id} after canary (approval)`);

    const job2 = await laterJob(ws.dir);
    try {
      const promote = await runCli(['promote', '--gate', String(gate?.id), '--reason', 'dashboards flat'], { cwd: job2, env: { GITHUB_ACTOR: 'octocat' } });
      expect(promote.exitCode, describeResult(promote)).toBe(0);
      expect(await readLines(path.join(job2, 'deploy.log'))).toEqual(['half', 'full']);
      const done = await readState(defaultStatePath(job2));
      expect(done.status).toBe('succeeded');
      expect(done.gate?.decision).toMatchObject({ decision: 'promote', by: 'octocat', reason: 'dashboards flat' });

      const again = await runCli(['promote'], { cwd: job2 });
      expect(again.exitCode, describeResult(again)).toBe(2);
      expect(again.stderr).toContain(`already decided: promote by octocat`);
      expect(again.stderr).not.toMatch(STACK_TRACE);
    } finally {
      await removeTempDir(job2);
    }
  });

  it('abort rolls back what the run deployed, newest first, and exits 1', async () => {
    await writePlan(
      ws.dir,
      gatedPlan().replace('    approval: true\n', '').replace('    soak: 0\n  - name: full', '    soak: 0\n    approval: true\n  - name: full'),
    );
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(7);
    const abort = await runCli(['abort', '--reason', 'p95 up'], { cwd: ws.dir, env: { GITLAB_USER_LOGIN: 'alice', GITHUB_ACTOR: '' } });
    expect(abort.exitCode, describeResult(abort)).toBe(1);
    expect(await readLines(path.join(ws.dir, 'rollback.log'))).toEqual(['half', 'canary']);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('rolled_back');
    expect(state.failure?.reason).toContain('by alice: p95 up');
  });

  it('refuses a wrong gate id, a changed plan and promoting an expired gate, which resume then rolls back (onTimeout: abort)', async () => {
    await writePlan(ws.dir, gatedPlan('{timeout: 1s}'));
    expect((await runCli(['run', '--paused-exit-code', '0'], { cwd: ws.dir })).exitCode).toBe(0);
    const wrong = await runCli(['promote', '--gate', 'nope'], { cwd: ws.dir });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('not nope');

    await new Promise((resolve) => setTimeout(resolve, 1200));
    const expired = await runCli(['promote'], { cwd: ws.dir });
    expect(expired.exitCode, describeResult(expired)).toBe(2);
    expect(expired.stderr).toMatch(/expired at .* it can no longer be promoted: `rollout resume` rolls it back \(onTimeout: abort\)/);

    await writePlan(ws.dir, `${gatedPlan('{timeout: 1s}')}# changed\n`);
    const changed = await runCli(['abort'], { cwd: ws.dir });
    expect(changed.exitCode).toBe(2);
    expect(changed.stderr).toContain('changed since gate');
    expect((await readState(defaultStatePath(ws.dir))).status).toBe('paused');

    // The expired gate acts on its onTimeout when the run is next continued: status says so, resume does it.
    await writePlan(ws.dir, gatedPlan('{timeout: 1s}'));
    const status = await runCli(['status'], { cwd: ws.dir });
    expect(status.stdout).toMatch(/expired at .*`rollout resume` will roll back what the run deployed \(onTimeout: abort\)/);
    const resumed = await runCli(['resume'], { cwd: ws.dir });
    expect(resumed.exitCode, describeResult(resumed)).toBe(1);
    expect(await readLines(path.join(ws.dir, 'rollback.log'))).toEqual(['canary']);
    const after = await readState(defaultStatePath(ws.dir));
    expect(after.status).toBe('rolled_back');
    expect(after.gate?.decision).toMatchObject({ decision: 'abort', by: 'timeout' });
    expect(after.failure?.reason).toMatch(/^gate .* expired at .* \(onTimeout: abort\)$/);
  });

  it('tells webhooks about the gate and who decided it', async () => {
    const hook = await startWebhookReceiver();
    try {
      await writePlan(ws.dir, `${gatedPlan()}notify:\n  - url: ${hook.url()}\n    events: [gate.opened, gate.decided]\n`);
      expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(7);
      const promote = await runCli(['promote', '--reason', 'looks good'], { cwd: ws.dir, env: { ROLLOUT_ACTOR: 'carol' } });
      expect(promote.exitCode, describeResult(promote)).toBe(0);
      expect(hook.received.map((r) => r.body.event)).toEqual(['gate.opened', 'gate.decided']);
      expect(String(hook.received[1]?.body.text)).toMatch(/gate canary-[0-9a-f]{6} promoted by carol: looks good/);
    } finally {
      await hook.close();
    }
  });
});
