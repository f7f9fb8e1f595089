import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { exists, readLines, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

/**
 * `approval:` on the last stage used to be ignored: the run succeeded without anyone deciding. It is
 * the final sign-off now, a gate like any other: the run counts as succeeded only once a person
 * promotes, and an abort rolls every stage back. `pause:` there (nothing left to wait before) is refused.
 */
const signedOffPlan = `name: shop
stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 0
  - name: full
    deploy: echo full >> deploy.log
    rollback: echo full >> rollback.log
    soak: 0
    approval: true
`;

describe('approval on the last stage: the final sign-off', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('plan and validate show it; run stops at it (exit 7); promote makes the run succeed', async () => {
    await writePlan(ws.dir, signedOffPlan);
    const validate = await runCli(['validate'], { cwd: ws.dir });
    expect(validate.stdout).toContain('approval after full (final sign-off)');
    const plan = await runCli(['plan'], { cwd: ws.dir });
    expect(plan.stdout).toContain('approval: a person promotes or aborts before the run counts as succeeded (a final sign-off)');
    const json = JSON.parse((await runCli(['plan', '--json'], { cwd: ws.dir })).stdout);
    expect(json.stages.map((s: { approval: unknown }) => s.approval)).toEqual([null, { timeoutMs: null, onTimeout: 'abort', message: null }]);

    const run = await runCli(['run'], { cwd: ws.dir });
    expect(run.exitCode, describeResult(run)).toBe(7);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'full']);
    const paused = await readState(defaultStatePath(ws.dir));
    expect(paused.status).toBe('paused');
    expect(paused.gate).toMatchObject({ stage: 'full', kind: 'approval', reason: 'approval required before the run counts as succeeded' });

    const promote = await runCli(['promote', '--reason', 'signed off'], { cwd: ws.dir });
    expect(promote.exitCode, describeResult(promote)).toBe(0);
    expect((await readState(defaultStatePath(ws.dir))).status).toBe('succeeded');
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'full']);
  });

  it('abort at the final sign-off rolls every stage back, newest first', async () => {
    await writePlan(ws.dir, signedOffPlan);
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(7);
    const abort = await runCli(['abort', '--reason', 'numbers look off'], { cwd: ws.dir });
    expect(abort.exitCode, describeResult(abort)).toBe(1);
    expect(await readLines(path.join(ws.dir, 'rollback.log'))).toEqual(['full', 'canary']);
    expect((await readState(defaultStatePath(ws.dir))).status).toBe('rolled_back');
  });

  it('plan and validate show every pause, approval and window', async () => {
    await writePlan(
      ws.dir,
      `onInconclusive: pause
windows:
  timezone: Europe/Berlin
  allow:
    - {from: "00:00", to: "24:00"}
stages:
  - name: canary
    deploy: "true"
    pause: 5m
    approval: {timeout: 1h, onTimeout: fail, message: look at the dashboards}
  - name: full
    deploy: "true"
`,
    );
    const validate = await runCli(['validate'], { cwd: ws.dir });
    expect(validate.stdout).toContain(
      'pause after canary (5m), approval after canary, a gate when checks are inconclusive, deploy windows (Europe/Berlin, when blocked: fail), state',
    );
    const plan = await runCli(['plan'], { cwd: ws.dir });
    expect(plan.stdout).toContain('on failure: rollback, an inconclusive stage pauses at a gate');
    expect(plan.stdout).toContain(
      '   pause:    5m before the next stage\n   approval: a person promotes or aborts before full (gate open 1h, then fail): look at the dashboards',
    );
    expect(plan.stdout).toContain('Deploy windows (Europe/Berlin;');
    const json = JSON.parse((await runCli(['plan', '--json'], { cwd: ws.dir })).stdout);
    expect(json.stages[0]).toMatchObject({ pauseMs: 300_000, approval: { timeoutMs: 3_600_000, onTimeout: 'fail', message: 'look at the dashboards' } });
    expect(json.stages[1]).toMatchObject({ pauseMs: 0, approval: null });
    expect(json.windows).toMatchObject({ timezone: 'Europe/Berlin', onBlocked: 'fail' });
  });

  it('pause: on the last stage is refused at its line, with what to use instead', async () => {
    await writePlan(ws.dir, signedOffPlan.replace('    approval: true\n', '    pause: 5m\n'));
    const result = await runCli(['run'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toContain(
      'rollout.config.yml:11:12 stages.1.pause: the last stage has no next stage to pause before; use soak: to watch it longer, or approval: for a sign-off before the run counts as succeeded',
    );
    expect(await exists(path.join(ws.dir, 'deploy.log'))).toBe(false);
  });
});
