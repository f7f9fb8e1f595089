import { describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { START_VERSION, useFleet } from '../helpers/fleet-hosts.js';
import { batchesOf, expectedVersions, fleetPlan, invocations, jsonEvents, targetStatuses, targetsOf, verifyCommand } from '../helpers/fleet-plan.js';
import { defaultStatePath, readState, stageOf } from '../helpers/state.js';
import { readLines, writePlan } from '../helpers/temp-dir.js';

/**
 * Fleet rollouts through the built CLI against 20 real hosts (examples/fleet/hosts.js, one HTTP
 * service each): batches, per-target checks and verify, failed targets rolled back on their own,
 * failure budgets and what exceeding them undoes, checked on the hosts themselves.
 */
const NEW = 'v2.0.0';

/** The most deploys of one stage that were running at once, from the run's --json events. */
function mostAtOnce(events: { type: string; [key: string]: unknown }[], stage: string): number {
  let running = 0;
  let most = 0;
  for (const event of events) {
    if (event.stage !== stage || typeof event.target !== 'string') continue;
    if (event.type === 'deploy.started') most = Math.max(most, ++running);
    if (event.type === 'deploy.finished') running--;
  }
  return most;
}

describe('a fleet of 20 hosts', { timeout: 120_000 }, () => {
  const ws = useFleet(20);
  const names = () => ws.fleet.names;

  it('all healthy: one-box, then batches of 1 and 25 %, at most maxParallel at once; every host updated once; status lists them', async () => {
    await writePlan(
      ws.dir,
      fleetPlan(ws.fleet, [
        { name: 'one-box', targets: '[h01]' },
        { name: 'everyone', targets: '"*"', batch: '[1, "25%"]', maxParallel: 4, bake: '100ms', firstBake: '200ms' },
      ]),
    );
    const run = await runCli(['run', '--json'], { cwd: ws.dir, timeout: 90_000 });
    expect(run.exitCode, describeResult(run)).toBe(0);

    expect(await ws.fleet.versions()).toEqual(expectedVersions(names(), NEW));
    expect(await invocations(ws.dir)).toEqual(Object.fromEntries(names().map((name) => [name, 1])));
    expect(await readLines(`${ws.dir}/rollbacks.log`)).toEqual([]);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('succeeded');
    const rest = names().slice(1);
    // 25 % of the stage's 19 targets is 4.75: 5 a batch after the first, the last one partial.
    expect(batchesOf(stageOf(state, 'everyone'))).toEqual([rest.slice(0, 1), rest.slice(1, 6), rest.slice(6, 11), rest.slice(11, 16), rest.slice(16)]);
    for (const target of [...Object.values(targetsOf(state, 'one-box')), ...Object.values(targetsOf(state, 'everyone'))]) {
      expect(target, target.name).toMatchObject({ status: 'updated', attempts: 1, failed: false, verify: { ok: true, output: NEW } });
    }

    const events = jsonEvents(run.stdout);
    expect(events.filter((e) => e.type === 'target.passed')).toHaveLength(20);
    expect(events.filter((e) => e.type === 'batch.started' && e.stage === 'everyone').map((e) => e.targets)).toEqual(batchesOf(stageOf(state, 'everyone')));
    // Batches of 5 with maxParallel 4: four deploys start at once, never a fifth.
    expect(mostAtOnce(events, 'everyone')).toBe(4);

    const status = await runCli(['status'], { cwd: ws.dir });
    expect(status.exitCode, describeResult(status)).toBe(0);
    // Targets by state: every name, or (a fleet can be 500 long) the stage's 19 counted as updated.
    expect(status.stdout).toMatch(/updated/);
    const named = names().every((name) => status.stdout.includes(name));
    const counted = /\b19\b[^\n]*updated|updated[^\n]*\b19\b/.test(status.stdout);
    expect(named || counted, status.stdout).toBe(true);
  });

  it('one broken host fails its checks and is rolled back on its own; a stage tolerating 1 failure passes', async () => {
    await ws.fleet.setFault('h05', 'broken');
    await writePlan(ws.dir, fleetPlan(ws.fleet, [{ name: 'everyone', targets: '"*"', batch: '"25%"', maxParallel: 5, failureBudget: '{ total: 1 }' }]));
    const run = await runCli(['run'], { cwd: ws.dir, timeout: 90_000 });
    expect(run.exitCode, describeResult(run)).toBe(0);

    expect(await ws.fleet.versions()).toEqual(expectedVersions(names(), NEW, { h05: START_VERSION }));
    expect(await readLines(`${ws.dir}/rollbacks.log`)).toEqual(['h05']);
    expect(await invocations(ws.dir)).toEqual(Object.fromEntries(names().map((name) => [name, 1])));
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('succeeded');
    const h05 = targetsOf(state, 'everyone').h05;
    expect(h05).toMatchObject({ status: 'rolled_back', failed: true });
    expect(h05?.reason).toMatch(/healthz/);
    expect(targetStatuses(state, 'everyone')).toEqual(Object.fromEntries(names().map((name) => [name, name === 'h05' ? 'rolled_back' : 'updated'])));
    // Each target's command output is prefixed with its stage and its name.
    expect(run.all).toMatch(/everyone \| h05 \| h05: deployed v1\.0\.0 -> v2\.0\.0/);
    // status names the failed target, however it sums up the rest.
    const status = await runCli(['status'], { cwd: ws.dir });
    expect(status.exitCode, describeResult(status)).toBe(0);
    expect(status.stdout).toMatch(/h05[^\n]*(rolled.back|failed)|(rolled.back|failed)[^\n]*h05/);
  });

  it('one broken host with no failure tolerated (total: 0) fails the stage and undoes every host deployed', async () => {
    await ws.fleet.setFault('h05', 'broken');
    await writePlan(ws.dir, fleetPlan(ws.fleet, [{ name: 'everyone', targets: '"*"', batch: '"25%"', maxParallel: 5, failureBudget: '{ total: 0 }' }]));
    const run = await runCli(['run', '--json'], { cwd: ws.dir, timeout: 90_000 });
    expect(run.exitCode, describeResult(run)).toBe(1);

    expect(await ws.fleet.versions()).toEqual(expectedVersions(names(), START_VERSION));
    // Only the first batch was ever deployed.
    expect(await invocations(ws.dir)).toEqual({ h01: 1, h02: 1, h03: 1, h04: 1, h05: 1 });
    const failed = jsonEvents(run.stdout).find((e) => e.type === 'stage.failed');
    expect(failed).toMatchObject({ stage: 'everyone', budget: 'total', failedTargets: ['h05'] });
  });

  it('two broken hosts with total: 1: the second failure exceeds the budget and rollback-stage undoes exactly the changed targets, newest first', async () => {
    await ws.fleet.setFault('h04', 'broken');
    await ws.fleet.setFault('h07', 'broken');
    await writePlan(
      ws.dir,
      fleetPlan(ws.fleet, [
        { name: 'one-box', targets: '[h01]' },
        { name: 'everyone', targets: '"*"', batch: '1', maxParallel: 1, failureBudget: '{ total: 1 }', onBudgetExceeded: 'rollback-stage' },
      ]),
    );
    const run = await runCli(['run', '--json'], { cwd: ws.dir, timeout: 90_000 });
    expect(run.exitCode, describeResult(run)).toBe(1);

    // h02..h07 were deployed in that order; h08 on never were. one-box is another stage: it stays.
    expect(await invocations(ws.dir)).toEqual({ h01: 1, h02: 1, h03: 1, h04: 1, h05: 1, h06: 1, h07: 1 });
    expect(await ws.fleet.versions()).toEqual(expectedVersions(names(), START_VERSION, { h01: NEW }));
    const rollbacks = await readLines(`${ws.dir}/rollbacks.log`);
    // Each failed host was rolled back on its own when it failed; the stage's undo then took the rest, newest first.
    expect(rollbacks.filter((name) => name === 'h04' || name === 'h07')).toEqual(['h04', 'h07']);
    expect(rollbacks.filter((name) => name !== 'h04' && name !== 'h07')).toEqual(['h06', 'h05', 'h03', 'h02']);
    const failed = jsonEvents(run.stdout).find((e) => e.type === 'stage.failed');
    expect(failed).toMatchObject({ stage: 'everyone', budget: 'total', failedTargets: ['h04', 'h07'] });
    expect(targetsOf(await readState(defaultStatePath(ws.dir)), 'one-box').h01?.status).toBe('updated');
  });

  it('a host that still serves the old version after a "successful" deploy fails verify, even with healthy checks', async () => {
    await ws.fleet.setFault('h03', 'stale');
    // The object form: the command only prints, and rolloutctl compares what it printed.
    const verify = `{ run: ${JSON.stringify(verifyCommand(''))}, expect: ${NEW} }`;
    await writePlan(ws.dir, fleetPlan(ws.fleet, [{ name: 'everyone', targets: '"*"', batch: '10', failureBudget: '{ total: 1 }', verify }]));
    const run = await runCli(['run'], { cwd: ws.dir, timeout: 90_000 });
    expect(run.exitCode, describeResult(run)).toBe(0);

    const h03 = targetsOf(await readState(defaultStatePath(ws.dir)), 'everyone').h03;
    expect(h03).toMatchObject({ failed: true, status: 'rolled_back', verify: { ok: false, output: START_VERSION, expected: NEW } });
    expect(await ws.fleet.versions()).toEqual(expectedVersions(names(), NEW, { h03: START_VERSION }));
    expect((await ws.fleet.state('h03')).deploys).toBe(0);
  });
});

describe('rollout rollback after a fleet rollout', { timeout: 120_000 }, () => {
  const ws = useFleet(6);

  it('undoes exactly the targets the run changed, newest first: not the one already rolled back', async () => {
    await ws.fleet.setFault('h03', 'broken');
    await writePlan(
      ws.dir,
      fleetPlan(ws.fleet, [
        { name: 'one-box', targets: '[h01]' },
        { name: 'everyone', targets: '"*"', batch: '2', maxParallel: 1, failureBudget: '{ total: 1 }' },
      ]),
    );
    const run = await runCli(['run'], { cwd: ws.dir, timeout: 90_000 });
    expect(run.exitCode, describeResult(run)).toBe(0);
    expect(await readLines(`${ws.dir}/rollbacks.log`)).toEqual(['h03']);

    const rollback = await runCli(['rollback'], { cwd: ws.dir, timeout: 90_000 });
    expect(rollback.exitCode, describeResult(rollback)).toBe(0);
    expect(await readLines(`${ws.dir}/rollbacks.log`)).toEqual(['h03', 'h06', 'h05', 'h04', 'h02', 'h01']);
    expect(await ws.fleet.versions()).toEqual(expectedVersions(ws.fleet.names, START_VERSION));
    const state = await readState(defaultStatePath(ws.dir));
    expect({ ...targetStatuses(state, 'one-box'), ...targetStatuses(state, 'everyone') }).toEqual(
      Object.fromEntries(ws.fleet.names.map((name) => [name, 'rolled_back'])),
    );
  });
});
