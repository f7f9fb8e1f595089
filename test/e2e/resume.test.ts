import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, startCli } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { killQuietly, waitFor } from '../helpers/processes.js';
import { defaultStatePath, readState, waitForState } from '../helpers/state.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

describe('rollout resume', { timeout: 40_000 }, () => {
  let dir: string;
  let server: HealthServer;
  const started: number[] = [];
  const statePath = () => defaultStatePath(dir);
  const deploys = () => readLines(path.join(dir, 'deploy.log'));
  const rollbacks = () => readLines(path.join(dir, 'rollback.log'));

  beforeEach(async () => {
    dir = await makeTempDir();
    server = await startHealthServer(200);
  });
  afterEach(async () => {
    for (const pid of started.splice(0)) killQuietly(pid);
    await server.close();
    await removeTempDir(dir);
  });

  /** Three stages; `half` soaks long enough to be interrupted. Deploys log the stage and the var. */
  function plan(halfSoak = '20s', extra = ''): string {
    return `vars:
  tag: v1
${extra}defaults:
  soak: 100ms
  health: { interval: 50ms, failureThreshold: 2 }
stages:
  - name: canary
    deploy: echo "canary $ROLLOUT_VAR_TAG" >> deploy.log
    rollback: echo canary >> rollback.log
    health: [{ url: "${server.url('/healthz')}" }]
  - name: half
    deploy: echo "half $ROLLOUT_VAR_TAG" >> deploy.log
    rollback: echo half >> rollback.log
    soak: ${halfSoak}
    health: [{ url: "${server.url('/healthz')}" }]
  - name: full
    deploy: echo "full $ROLLOUT_VAR_TAG" >> deploy.log
    rollback: echo full >> rollback.log
`;
  }

  /** `andThen`: an effect to wait for too — the state says deploying before the command's shell has run a line. */
  async function interruptWhen(
    predicate: Parameters<typeof waitForState>[1],
    signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM',
    args: string[] = [],
    andThen?: () => Promise<boolean>,
  ) {
    const run = startCli(['run', ...args], { cwd: dir });
    if (run.pid !== undefined) started.push(run.pid);
    await waitForState(statePath(), predicate);
    if (andThen) expect(await waitFor(andThen, 20_000)).toBe(true);
    run.kill(signal);
    return run;
  }

  it('re-soaks the stage that was soaking without redeploying it, keeps passed stages, uses the original vars', async () => {
    await writePlan(dir, plan());
    const first = await interruptWhen((s) => s.stages[1]?.status === 'soaking', 'SIGTERM', ['--var', 'tag=v9']);
    expect((await first).exitCode).toBe(143);
    const interrupted = await readState(statePath());
    // A shorter soak so the test is quick; it changes the plan, which resume must notice.
    await writePlan(dir, plan('300ms'));
    const refused = await runCli(['resume'], { cwd: dir });
    expect(refused.exitCode, describeResult(refused)).toBe(2);
    expect(refused.stderr).toMatch(/changed since run .* --allow-plan-change/);

    const result = await runCli(['resume', '--allow-plan-change'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(await deploys()).toEqual(['canary v9', 'half v9', 'full v9']);
    const state = await readState(statePath());
    expect(state.status).toBe('succeeded');
    expect(state.runId).toBe(interrupted.runId);
    expect(state.lineage).toBe(interrupted.lineage);
    expect(state.resumes).toBe(1);
    expect(state.stages.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(state.stages[1]?.checkResults.polls).toBeGreaterThan(0);
  });

  it('redeploys the stage that was deploying', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    soak: 0
  - name: slow
    deploy: echo slow-start >> deploy.log; sleep 30; echo slow-done >> deploy.log
    soak: 0
`,
    );
    const first = await interruptWhen(
      (s) => s.stages[1]?.status === 'deploying',
      'SIGTERM',
      [],
      async () => (await deploys()).includes('slow-start'),
    );
    expect((await first).exitCode).toBe(143);
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    soak: 0
  - name: slow
    deploy: echo slow-again >> deploy.log
    soak: 0
`,
    );
    const result = await runCli(['resume', '--allow-plan-change'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(await deploys()).toEqual(['canary', 'slow-start', 'slow-again']);
  });

  it('finishes a run whose process died (SIGKILL), taking over its lock; status explains it first', async () => {
    await writePlan(dir, plan('1500ms'));
    const first = await interruptWhen((s) => s.stages[1]?.status === 'soaking', 'SIGKILL');
    await first;
    const status = await runCli(['status'], { cwd: dir });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/died while half was soaking\. It left deployed: canary, half\./);
    expect(status.stdout).toMatch(/rollout resume/);

    const result = await runCli(['resume'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stderr).toMatch(/took over a stale lock/);
    expect(await deploys()).toEqual(['canary v1', 'half v1', 'full v1']);
    expect((await readState(statePath())).status).toBe('succeeded');
  });

  it('finishes a rollback that was interrupted', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 0
  - name: bad
    deploy: exit 1
    rollback: echo bad-start >> rollback.log; sleep 30
`,
    );
    const first = startCli(['run'], { cwd: dir });
    if (first.pid !== undefined) started.push(first.pid);
    await waitForState(statePath(), (s) => s.stages[1]?.status === 'rolling_back');
    // The state says rolling_back before the rollback's shell has run its first line; interrupt only
    // once the rollback is really under way, as the test means to.
    expect(await waitFor(async () => (await rollbacks()).includes('bad-start'))).toBe(true);
    first.kill('SIGTERM');
    expect((await first).exitCode).toBe(143);
    expect(await rollbacks()).toEqual(['bad-start']);
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 0
  - name: bad
    deploy: exit 1
    rollback: echo bad >> rollback.log
`,
    );
    const result = await runCli(['resume', '--allow-plan-change'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(1); // the run failed (bad), and is now rolled back
    expect(await rollbacks()).toEqual(['bad-start', 'bad', 'canary']);
    const state = await readState(statePath());
    expect(state.status).toBe('rolled_back');
    expect(state.failure?.stage).toBe('bad');
    expect(await deploys()).toEqual(['canary']);
  });

  it('a run that already succeeded: says so and exits 0, redeploying nothing (issue 10: a retried CI job must not fail)', async () => {
    await writePlan(dir, plan('100ms'));
    expect((await runCli(['run'], { cwd: dir })).exitCode).toBe(0);
    const deployed = await deploys();
    const result = await runCli(['resume'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toMatch(/already succeeded.*: nothing to resume\./);
    expect(await deploys()).toEqual(deployed);
  });

  it('refuses when there is no state, and when the plan has different stages', async () => {
    await writePlan(dir, plan('100ms'));
    const none = await runCli(['resume'], { cwd: dir });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/no rollout state/);

    const first = await interruptWhen((s) => s.stages[0]?.status === 'soaking' || s.stages[1]?.status === 'soaking');
    await first;
    await writePlan(dir, plan('100ms').replace('name: full', 'name: everyone'));
    const result = await runCli(['resume', '--allow-plan-change'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/same stages, in the same order/);
  });

  it('with onInterrupt: rollback, a cancel undoes what was deployed, newest first, and still exits 143', async () => {
    await writePlan(dir, plan('20s', 'onInterrupt: rollback\n'));
    const first = await interruptWhen((s) => s.stages[1]?.status === 'soaking');
    const result = await first;
    expect(result.exitCode, String(result.all)).toBe(143);
    expect(await rollbacks()).toEqual(['half', 'canary']);
    const state = await readState(statePath());
    expect(state.status).toBe('interrupted');
    expect(state.interruptedBy).toBe('SIGTERM');
    expect(state.stages.map((s) => s.status)).toEqual(['rolled_back', 'rolled_back', 'pending']);
  });
});
