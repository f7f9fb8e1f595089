import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli, startCli, toCliResult } from '../helpers/cli.js';
import { DEPLOY_JS, START_VERSION, useFleet } from '../helpers/fleet-hosts.js';
import { expectedVersions, fleetPlan, invocations, targetStatuses, targetsOf } from '../helpers/fleet-plan.js';
import { isProcessAlive, release, waitFor } from '../helpers/processes.js';
import { defaultStatePath, readState, waitForState } from '../helpers/state.js';
import { readLines, writePlan } from '../helpers/temp-dir.js';

/**
 * SIGKILL while several deploys of a batch are running, then `rollout resume`: the dead run's
 * deploys (their process groups outlive it) are stopped, the targets they were deploying are
 * deployed again, the others exactly once, and every target ends updated or rolled back.
 * Deploys hold until the test releases them, so "three running" is a state, not a race.
 */
const NEW = 'v2.0.0';
/** Waits for `release` in the plan's directory (at most 60 s), then deploys; logs the targets whose deploy finished. */
const HELD_DEPLOY = [
  'i=0; while [ ! -e release ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done',
  `node ${JSON.stringify(DEPLOY_JS)} "$ROLLOUT_TARGET_HOST:$ROLLOUT_TARGET_PORT" "$ROLLOUT_VAR_VERSION" && echo "$ROLLOUT_TARGET" >> finished.log`,
].join('; ');

describe('a fleet run killed mid-batch, then resumed', { timeout: 120_000 }, () => {
  const ws = useFleet(8);

  it('stops the dead run’s deploys, redeploys only the targets in flight, and ends with each target updated or rolled back', async () => {
    await ws.fleet.setFault('h06', 'broken');
    await writePlan(
      ws.dir,
      fleetPlan(ws.fleet, [{ name: 'fleet', targets: '"*"', batch: '8', maxParallel: 3, failureBudget: '{ total: 1 }', deploy: HELD_DEPLOY }]),
    );
    const statePath = defaultStatePath(ws.dir);

    const run = startCli(['run'], { cwd: ws.dir, timeout: 60_000 });
    // Three deploys under way, each recorded with its process group (a later run must stop them).
    const deploying = (state: Awaited<ReturnType<typeof readState>>) =>
      Object.entries(targetStatuses(state, 'fleet'))
        .filter(([, status]) => status === 'deploying')
        .map(([name]) => name);
    const atKill = await waitForState(
      statePath,
      (s) => s.stages[0]?.targets !== undefined && deploying(s).length === 3 && (s.processGroups?.length ?? 0) === 3,
    );
    run.kill('SIGKILL');
    await run;
    const inFlight = deploying(await readState(statePath));
    expect(inFlight).toEqual(['h01', 'h02', 'h03']);
    const leftovers = (atKill.processGroups ?? []).map((group) => group.pgid);
    expect(leftovers.filter((pgid) => isProcessAlive(pgid))).toHaveLength(3); // SIGKILL left them running

    const resume = startCli(['resume'], { cwd: ws.dir, timeout: 90_000 });
    // Once the in-flight targets started again, the dead run's deploys must be gone: only then release.
    await waitForState(statePath, (s) => s.resumes === 1 && inFlight.every((name) => (targetsOf(s, 'fleet')[name]?.attempts ?? 0) >= 2));
    expect(await waitFor(() => leftovers.every((pgid) => !isProcessAlive(pgid)))).toBe(true);
    release(ws.dir);
    const result = toCliResult(await resume);
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stderr).toMatch(/stopped it/);

    // Started: twice for the three in flight, once for the rest. Finished: once each, none twice.
    expect(await invocations(ws.dir)).toEqual({ h01: 2, h02: 2, h03: 2, h04: 1, h05: 1, h06: 1, h07: 1, h08: 1 });
    const finished = await readLines(path.join(ws.dir, 'finished.log'));
    expect([...finished].sort()).toEqual(ws.fleet.names);
    expect(await readLines(path.join(ws.dir, 'rollbacks.log'))).toEqual(['h06']);
    const state = await readState(statePath);
    expect(state.status).toBe('succeeded');
    expect(targetStatuses(state, 'fleet')).toEqual(Object.fromEntries(ws.fleet.names.map((name) => [name, name === 'h06' ? 'rolled_back' : 'updated'])));
    expect(await ws.fleet.versions()).toEqual(expectedVersions(ws.fleet.names, NEW, { h06: START_VERSION }));
  });

  it('resume --retry-failed deploys again only the target that failed, once it is repaired', async () => {
    await ws.fleet.setFault('h03', 'broken');
    await writePlan(ws.dir, fleetPlan(ws.fleet, [{ name: 'fleet', targets: '"*"', batch: '4', failureBudget: '{ total: 1 }' }]));
    const run = await runCli(['run'], { cwd: ws.dir, timeout: 60_000 });
    expect(run.exitCode, describeResult(run)).toBe(0);
    expect(targetsOf(await readState(defaultStatePath(ws.dir)), 'fleet').h03).toMatchObject({ status: 'rolled_back', failed: true });

    await ws.fleet.setFault('h03', 'broken', false);
    const retry = await runCli(['resume', '--retry-failed'], { cwd: ws.dir, timeout: 60_000 });
    expect(retry.exitCode, describeResult(retry)).toBe(0);
    expect(await invocations(ws.dir)).toEqual(Object.fromEntries(ws.fleet.names.map((name) => [name, name === 'h03' ? 2 : 1])));
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('succeeded');
    expect(targetStatuses(state, 'fleet')).toEqual(Object.fromEntries(ws.fleet.names.map((name) => [name, 'updated'])));
    expect(targetsOf(state, 'fleet').h03?.attempts).toBe(2);
    expect(await ws.fleet.versions()).toEqual(expectedVersions(ws.fleet.names, NEW));
  });

  it('a cancel (SIGTERM) stops every running deploy of the batch within the grace period; resume finishes the rest', async () => {
    await writePlan(ws.dir, fleetPlan(ws.fleet, [{ name: 'fleet', targets: '"*"', batch: '8', maxParallel: 3, deploy: HELD_DEPLOY }]));
    const statePath = defaultStatePath(ws.dir);
    const run = startCli(['run'], { cwd: ws.dir, timeout: 60_000 });
    const atCancel = await waitForState(statePath, (s) => (s.processGroups?.length ?? 0) === 3);
    const groups = (atCancel.processGroups ?? []).map((group) => group.pgid);
    run.kill('SIGTERM');
    const cancelled = toCliResult(await run);
    expect(cancelled.exitCode, describeResult(cancelled)).toBe(143);
    // The CLI waited for its commands: none of the three deploys outlives it.
    expect(groups.filter((pgid) => isProcessAlive(pgid))).toEqual([]);
    const state = await readState(statePath);
    expect(state).toMatchObject({ status: 'interrupted', interruptedBy: 'SIGTERM', processGroups: [] });
    expect(Object.values(targetStatuses(state, 'fleet')).filter((status) => status === 'pending')).toHaveLength(5);

    release(ws.dir);
    const resume = await runCli(['resume'], { cwd: ws.dir, timeout: 90_000 });
    expect(resume.exitCode, describeResult(resume)).toBe(0);
    expect(targetStatuses(await readState(statePath), 'fleet')).toEqual(Object.fromEntries(ws.fleet.names.map((name) => [name, 'updated'])));
    expect(await ws.fleet.versions()).toEqual(expectedVersions(ws.fleet.names, NEW));
  });
});
