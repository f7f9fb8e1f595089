import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { EventType, RolloutEvent } from '../../src/engine/events.js';
import { describeEvent } from '../../src/output/describe.js';
import { budgetText, nameList, progressBar, progressText } from '../../src/output/fleet-progress.js';
import { FleetScript, fleetOf } from '../helpers/fleet-script.js';

/** Each event about fleets, as the log says it (no colour), from a scripted run's events. */

const c = new Chalk({ level: 0 });

function runOfFive(): FleetScript {
  const run = new FleetScript({ everyone: [['eu-1'], ['eu-2', 'eu-3', 'eu-4', 'eu-5']] }).stageStarted('everyone');
  run.batch('everyone', 1, 1);
  run.batchStarted('everyone', 2).targetPasses('everyone', 'eu-2').targetFails('everyone', 'eu-3', { how: 'deploy' });
  run.targetFails('everyone', 'eu-4', { rollback: 'keep' }).targetStarts('everyone', 'eu-5');
  return run;
}

type FleetEvent =
  | 'batch.started'
  | 'target.started'
  | 'verify.finished'
  | 'target.passed'
  | 'target.failed'
  | 'target.retrying'
  | 'batch.baking'
  | 'batch.finished';

/** The first event of each type in the run (`pick` refines), and its line. */
const LINES = {
  'batch.started': { pick: (e) => e.type === 'batch.started' && e.batch === 2, line: 'everyone batch 2/2 starting: 4 targets (eu-2, eu-3, eu-4, eu-5)' },
  'target.started': { line: 'everyone eu-1 starting (batch 1)' },
  'verify.finished': { line: 'everyone eu-1 verified: "v2"' },
  'target.passed': { line: 'everyone eu-1 ✓ updated in 1m01s' },
  'target.failed': { line: 'everyone eu-3 ✗ failed: deploy failed: exit 1' },
  'target.retrying': { line: 'everyone eu-3 failed before: it will be deployed again (--retry-failed)' },
  'batch.baking': { line: 'everyone batch 1 baking 2m' },
  'batch.finished': { line: 'everyone batch 1/2 done: 1 updated, 0 failed (failure budget: 1 of 1 left)' },
} satisfies Record<FleetEvent & EventType, { pick?: (e: RolloutEvent) => boolean; line: string }>;

describe('the line of each fleet event', () => {
  const run = runOfFive().push({ type: 'target.retrying', stage: 'everyone', index: 0, target: 'eu-3' });
  it.each(Object.entries(LINES))('%s', (type, view) => {
    const pick = 'pick' in view ? view.pick : (e: RolloutEvent) => e.type === type;
    const event = run.events.find(pick);
    expect(event).toBeDefined();
    expect(describeEvent(event as RolloutEvent, c, true)).toBe(view.line);
  });

  it('a failed verify says what it printed and what was expected, or how the command ended', () => {
    const base = { type: 'verify.finished', time: 't', runId: 'r', stage: 'one-box', index: 0, target: 'eu-1', signal: null, durationMs: 5 } as const;
    expect(describeEvent({ ...base, exitCode: 0, timedOut: false, ok: false, output: 'v1', expected: 'v2' }, c)).toBe(
      'one-box eu-1 verify failed: printed "v1", expected "v2"',
    );
    expect(describeEvent({ ...base, exitCode: null, timedOut: true, ok: false, output: '', expected: null }, c)).toBe(
      'one-box eu-1 verify failed: timed out; process group killed; printed ""',
    );
  });

  it('a target’s steps name it after its stage; the bake’s fleet checks are said once', () => {
    const [soak] = runOfFive().events.filter((e) => e.type === 'soak.started' && e.target === undefined);
    expect(describeEvent(soak as RolloutEvent, c, true)).toBe('everyone measuring during the bake: error-rate');
    const deploy = runOfFive().events.find((e) => e.type === 'deploy.finished' && e.exitCode !== 0);
    expect(describeEvent(deploy as RolloutEvent, c, true)).toBe('everyone eu-3 deploy failed after 500ms (exit 1)');
  });

  it('run.started counts the targets; stage.failed names the failed ones the reason does not', () => {
    const run = runOfFive().stageFailed('everyone', 'failure budget exceeded (perBatch: 0 tolerated)', ['eu-3', 'eu-4'], 'perBatch');
    expect(describeEvent(run.events[0] as RolloutEvent, c)).toBe('rollout shop: 1 stage (everyone), 5 targets, run run-fleet');
    expect(describeEvent(run.events.at(-1) as RolloutEvent, c)).toBe('everyone ✗ failed: failure budget exceeded (perBatch: 0 tolerated) (failed: eu-3, eu-4)');
    const named = runOfFive().stageFailed('everyone', 'eu-3 failed', ['eu-3']);
    expect(describeEvent(named.events.at(-1) as RolloutEvent, c)).toBe('everyone ✗ failed: eu-3 failed');
  });
});

describe('counting targets', () => {
  const stage = () => runOfFive().doc().stages[0];

  it.each([
    [1, '1 of 1 updated'],
    [2, '1 of 4 updated, 2 failed, 1 in progress'],
  ])('batch %i: %s', (batch, text) => {
    expect(progressText((stage()?.targets ?? []).filter((t) => t.batch === batch))).toBe(text);
  });

  it.each([
    [null, ''],
    [undefined, ''],
    [2, ' (failure budget: 2 more failures tolerated)'],
    [1, ' (failure budget: 1 more failure tolerated)'],
    [0, ' (failure budget: no more failures tolerated)'],
    [-1, ' (failure budget exceeded)'],
  ])('budget left %s', (left, text) => {
    expect(budgetText(left)).toBe(text);
  });

  it.each([
    [0, 1, ' (failure budget: 0 of 1 left)'],
    [2, 2, ' (failure budget: 2 of 2 left)'],
    [-1, 1, ' (failure budget exceeded)'],
  ])('budget left %s of %s tolerated (batch.finished names both)', (left, tolerated, text) => {
    expect(budgetText(left, tolerated)).toBe(text);
  });

  it('names at most a few, then says how many more', () => {
    expect(nameList(['a', 'b'])).toBe('a, b');
    expect(nameList(fleetOf(500, [500])[0] ?? [], 3)).toBe('web-1, web-2, web-3 and 497 more');
  });

  it('the bar shows a single failure among 500, in a shape as well as a colour', () => {
    const run = new FleetScript({ everyone: fleetOf(500, [500]) }).stageStarted('everyone').batchStarted('everyone', 1);
    run.targetFails('everyone', 'web-1');
    for (let n = 2; n <= 300; n++) run.targetPasses('everyone', `web-${n}`);
    run.targetStarts('everyone', 'web-301');
    const bar = progressBar(run.doc().stages[0]?.targets ?? [], c);
    expect(bar).toHaveLength(20);
    expect(bar).toBe(`${'█'.repeat(12)}×▒${'░'.repeat(6)}`);
  });
});
