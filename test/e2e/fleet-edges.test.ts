import { describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { START_VERSION, useFleet } from '../helpers/fleet-hosts.js';
import { batchesOf, expectedVersions, type FleetStage, fleetPlan, invocations, jsonEvents, targetStatuses } from '../helpers/fleet-plan.js';
import { defaultStatePath, readState, stageOf } from '../helpers/state.js';
import { writePlan } from '../helpers/temp-dir.js';

/**
 * The edges of batching and budgets, each its own test (issue 17): one target, a percentage
 * below one target, a last partial batch, a budget exactly reached against exceeded, minHealthy
 * breached before a batch, the last target failing; and the plans validate refuses.
 */
const NEW = 'v2.0.0';

describe('fleet edges', { timeout: 90_000 }, () => {
  const ws = useFleet(8);
  const first = (n: number) => ws.fleet.names.slice(0, n);

  /** Runs a one-stage plan over the first `count` hosts with --json; returns the result, state and events. */
  async function runStage(count: number, stage: Omit<FleetStage, 'name' | 'targets'>, expectedExit: number) {
    await writePlan(ws.dir, fleetPlan(ws.fleet, [{ name: 'fleet', targets: '"*"', ...stage }], { only: first(count) }));
    const run = await runCli(['run', '--json'], { cwd: ws.dir, timeout: 60_000 });
    expect(run.exitCode, describeResult(run)).toBe(expectedExit);
    const state = await readState(defaultStatePath(ws.dir));
    return { run, state, events: jsonEvents(run.stdout), batches: batchesOf(stageOf(state, 'fleet')) };
  }
  const failedEvent = (events: { type: string; [key: string]: unknown }[]) => events.find((e) => e.type === 'stage.failed');

  it('one target: one batch of one, updated', async () => {
    const { state, batches } = await runStage(1, { batch: '"25%"' }, 0);
    expect(batches).toEqual([['h01']]);
    expect(targetStatuses(state, 'fleet')).toEqual({ h01: 'updated' });
    expect((await ws.fleet.state('h01')).version).toBe(NEW);
  });

  it('a percentage that comes to less than one target (10 % of 3) makes batches of 1, not 0', async () => {
    const { batches, events } = await runStage(3, { batch: '"10%"' }, 0);
    expect(batches).toEqual([['h01'], ['h02'], ['h03']]);
    expect(events.find((e) => e.type === 'run.started')).toMatchObject({ targets: { fleet: [['h01'], ['h02'], ['h03']] } });
  });

  it('7 targets in batches of 3: the last batch is the 1 left over, and it is deployed', async () => {
    const { state, batches } = await runStage(7, { batch: '3', maxParallel: 3 }, 0);
    expect(batches).toEqual([first(3), ['h04', 'h05', 'h06'], ['h07']]);
    expect(Object.values(targetStatuses(state, 'fleet'))).toEqual(Array(7).fill('updated'));
    expect((await ws.fleet.state('h07')).version).toBe(NEW);
  });

  it('a fleet check that fails during a bake fails the stage, whatever each target said, and the run is undone', async () => {
    // The fleet as a whole goes bad once h03 (batch 2) is deployed: its deploy leaves the marker the check looks for.
    const extra = ['checks:', '  fleet-errors:', '    type: command', '    run: test ! -e fleet-broken', '    interval: 100ms', '    failureThreshold: 2'];
    await writePlan(
      ws.dir,
      fleetPlan(
        ws.fleet,
        [
          {
            name: 'fleet',
            targets: '"*"',
            batch: '2',
            bake: '1s',
            fleetChecks: '[fleet-errors]',
            beforeDeploy: 'if [ "$ROLLOUT_TARGET" = h03 ]; then touch fleet-broken; fi',
          },
        ],
        { only: first(4), extra },
      ),
    );
    const run = await runCli(['run', '--json'], { cwd: ws.dir, timeout: 60_000 });
    expect(run.exitCode, describeResult(run)).toBe(1);
    const events = jsonEvents(run.stdout);
    // Measured in the first bake too, where it passed: the stage went on to batch 2.
    const secondBatch = events.findIndex((e) => e.type === 'batch.started' && e.batch === 2);
    const firstBakePolls = events.slice(0, secondBatch).filter((e) => e.type === 'check.polled' && e.check === 'fleet-errors' && e.target === undefined);
    expect(firstBakePolls.length).toBeGreaterThan(0);
    expect(firstBakePolls.every((e) => e.outcome === 'pass')).toBe(true);
    expect(failedEvent(events)).toMatchObject({ stage: 'fleet', check: 'fleet-errors', failedTargets: [] });
    expect(String(failedEvent(events)?.reason)).toMatch(/^after batch 2: /);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('rolled_back');
    expect(Object.values(targetStatuses(state, 'fleet'))).toEqual(Array(4).fill('rolled_back'));
    expect(await ws.fleet.versions(first(4))).toEqual(expectedVersions(first(4), START_VERSION));
  });

  it('a budget exactly reached passes: total "30%" of 8 tolerates 2 (rounded down), and 2 fail', async () => {
    await ws.fleet.setFault('h02', 'broken');
    await ws.fleet.setFault('h07', 'broken');
    const { state } = await runStage(8, { batch: '4', failureBudget: '{ total: "30%" }' }, 0);
    expect(state.status).toBe('succeeded');
    expect(await ws.fleet.versions(first(8))).toEqual(expectedVersions(first(8), NEW, { h02: START_VERSION, h07: START_VERSION }));
  });

  it('a budget exceeded by one fails: total "30%" of 8 tolerates 2, and a 3rd fails the stage', async () => {
    for (const name of ['h02', 'h05', 'h07']) await ws.fleet.setFault(name, 'broken');
    const { events } = await runStage(8, { batch: '4', maxParallel: 1, failureBudget: '{ total: "30%" }' }, 1);
    expect(failedEvent(events)).toMatchObject({ budget: 'total', failedTargets: ['h02', 'h05', 'h07'] });
    expect(await ws.fleet.versions(first(8))).toEqual(expectedVersions(first(8), START_VERSION));
  });

  it('perBatch: 1 failure in each batch is within it; 2 in one batch exceed it', async () => {
    await ws.fleet.setFault('h02', 'broken');
    await ws.fleet.setFault('h06', 'broken');
    const spread = await runStage(8, { batch: '4', failureBudget: '{ perBatch: 1, total: 5 }' }, 0);
    expect(spread.state.status).toBe('succeeded');

    await ws.fleet.setFault('h06', 'broken', false);
    await ws.fleet.setFault('h03', 'broken');
    const together = await runStage(8, { batch: '4', failureBudget: '{ perBatch: 1, total: 5 }' }, 1);
    expect(failedEvent(together.events)).toMatchObject({ budget: 'perBatch' });
    expect([...((failedEvent(together.events)?.failedTargets as string[]) ?? [])].sort()).toEqual(['h02', 'h03']);
  });

  it('minHealthy breached before a batch: the stage fails before deploying it', async () => {
    // 6 targets, one at a time, at least 5 healthy. h02 fails and is kept (not rolled back): 5
    // healthy after batch 2 is still enough, but batch 3 would take a 6th out of service.
    await ws.fleet.setFault('h02', 'broken');
    const { events, state } = await runStage(
      6,
      { batch: '1', onTargetFailure: 'keep', failureBudget: '{ total: 5, minHealthy: 5 }', onBudgetExceeded: 'stop' },
      1,
    );
    expect(failedEvent(events)).toMatchObject({ budget: 'minHealthy' });
    expect(await invocations(ws.dir)).toEqual({ h01: 1, h02: 1 });
    expect(targetStatuses(state, 'fleet')).toMatchObject({ h01: 'updated', h02: 'failed' });
    expect(await ws.fleet.versions(first(6))).toEqual(expectedVersions(first(6), START_VERSION, { h01: NEW, h02: NEW }));
  });

  it('the last target failing fails the stage when the budget says so (no "succeeded although the last host failed")', async () => {
    await ws.fleet.setFault('h04', 'broken');
    const { events, state } = await runStage(4, { batch: '2', maxParallel: 1 }, 1);
    expect(failedEvent(events)).toMatchObject({ budget: 'total', failedTargets: ['h04'] });
    expect(state.status).not.toBe('succeeded');
    expect(await ws.fleet.versions(first(4))).toEqual(expectedVersions(first(4), START_VERSION));
  });
});

describe('fleet plans validate refuses', { timeout: 60_000 }, () => {
  const ws = useFleet(3);

  async function validate(stages: FleetStage[]) {
    const text = fleetPlan(ws.fleet, stages);
    await writePlan(ws.dir, text);
    const result = await runCli(['validate'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.all).not.toMatch(STACK_TRACE);
    // Located at a stage's `targets:` (file:line), not somewhere else in the plan.
    const stageTargetLines = text
      .split('\n')
      .map((line, i) => (line.startsWith('    targets: ') ? i + 1 : null))
      .filter((line) => line !== null);
    expect(result.stderr).toMatch(new RegExp(`rollout\\.config\\.yml:(${stageTargetLines.join('|')})\\b`));
    // The fleet keys themselves are known: the one problem is the selection.
    expect(result.stderr).not.toMatch(/unknown key/);
    return result.stderr;
  }

  it('a stage selecting 0 targets', async () => {
    const stderr = await validate([{ name: 'nowhere', targets: '{ match: { region: [mars] } }' }]);
    expect(stderr).toMatch(/nowhere|stages\.0/);
    expect(stderr).toMatch(/\bno\b|\b0\b|empty|none|nothing/i);
  });

  it('an unknown target name', async () => {
    const stderr = await validate([{ name: 'typo', targets: '[h01, h99]' }]);
    expect(stderr).toContain('h99');
  });

  it('a target selected by two stages, naming both', async () => {
    const stderr = await validate([
      { name: 'first', targets: '[h01, h02]' },
      { name: 'second', targets: '[h02, h03]' },
    ]);
    expect(stderr).toContain('h02');
    expect(stderr).toContain('first');
    expect(stderr).toContain('second');
  });
});
