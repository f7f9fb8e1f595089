import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { JsonReporter } from '../../src/output/json-reporter.js';
import { EVENT_TYPES } from '../../src/run/ref.js';
import { documentedEvents, FLEET_EVENT_TYPES, fieldProblems } from '../helpers/event-table.js';
import { FleetScript } from '../helpers/fleet-script.js';

/** `--json` passes a fleet's events through as they are, each as docs/events-and-state.md lists it. */

/** A fleet run with every fleet event: a failure kept, a retry, a budget exceeded, the run's rollback per target. */
function fleetRun(): FleetScript {
  const run = new FleetScript({ 'one-box': [['eu-1']], everyone: [['eu-2', 'eu-3'], ['us-1']] });
  run.stageStarted('one-box').batch('one-box', 1, 0).stagePassed('one-box');
  run.stageStarted('everyone').batchStarted('everyone', 1).output('everyone', 'eu-2', 'eu-2 says hi\n');
  run.targetPasses('everyone', 'eu-2').targetFails('everyone', 'eu-3', { rollback: 'keep' });
  run.push({ type: 'target.retrying', stage: 'everyone', index: 1, target: 'eu-3' }).targetFails('everyone', 'eu-3', { how: 'deploy' });
  run.batchBakes('everyone', 1).batchFinished('everyone', 1, 0);
  run.stageFailed('everyone', 'failure budget exceeded', ['eu-3'], 'total');
  run.push({ type: 'rollback.started', scope: 'stages', stages: ['everyone', 'one-box'] });
  run.targetRollsBack('everyone', 'eu-2').targetRollsBack('one-box', 'eu-1');
  run.push({ type: 'rollback.finished', ok: true, failedStages: [] });
  return run.runFinished('rolled_back', { stage: 'everyone', reason: 'failure budget exceeded' });
}

describe('--json with fleets', () => {
  it('the docs table has a row for every event type but command output (bytes, on stderr)', async () => {
    const documented = await documentedEvents();
    expect(new Set(documented.keys())).toEqual(new Set(EVENT_TYPES.filter((type) => type !== 'command.output')));
  });

  it('prints every fleet event with its documented fields, and a target’s output prefixed on stderr', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    const text = { out: '', err: '' };
    out.on('data', (chunk: Buffer) => {
      text.out += chunk.toString();
    });
    err.on('data', (chunk: Buffer) => {
      text.err += chunk.toString();
    });
    const reporter = new JsonReporter({
      term: { out, err, isTTY: false, isCI: true, color: new Chalk({ level: 0 }) },
      clock: { now: () => 0, sleep: async () => {} },
    });
    const run = fleetRun();
    for (const event of run.events) await reporter.handle(event);
    reporter.close();
    await new Promise((resolve) => setImmediate(resolve));

    const lines = text.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(run.events.filter((e) => e.type !== 'command.output').length);
    const documented = await documentedEvents();
    for (const line of lines) {
      const doc = documented.get(String(line.type));
      expect(doc, `${line.type} is in the docs table`).toBeDefined();
      expect(fieldProblems(line, doc ?? { required: [], optional: [] }), String(line.type)).toEqual({ undocumented: [], missing: [] });
    }
    expect(FLEET_EVENT_TYPES.filter((type) => !lines.some((line) => line.type === type))).toEqual([]);
    // Events about one target name it, in `target` and in their `ref`.
    expect(lines.find((line) => line.type === 'target.failed')).toMatchObject({ target: 'eu-3', ref: { stage: 'everyone', target: 'eu-3' } });
    expect(lines.findLast((line) => line.type === 'rollback.step.finished' && line.stage === 'everyone')).toMatchObject({
      target: 'eu-2',
      stages: [],
      ref: { stage: 'everyone', target: 'eu-2' },
    });
    expect(lines.find((line) => line.type === 'stage.failed')).toMatchObject({ failedTargets: ['eu-3'], budget: 'total' });
    expect(lines[0]).toMatchObject({ type: 'run.started', targets: { 'one-box': [['eu-1']], everyone: [['eu-2', 'eu-3'], ['us-1']] } });
    expect(text.err).toBe('everyone | eu-2 | eu-2 says hi\n');
  });
});
