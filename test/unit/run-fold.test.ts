import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RolloutEvent } from '../../src/engine/events.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import type { StateDocument } from '../../src/state/document.js';
import { approval, continueWith, harness, MINUTE, plan, startRun } from './run-harness.js';

/** Folds recorded events from nothing, as a reader of the event log would (the events as JSON: what the log keeps). */
function refold(events: RolloutEvent[]): StateDocument | null {
  let doc: StateDocument | null = null;
  for (const event of JSON.parse(JSON.stringify(events.filter((e) => e.type !== 'command.output'))) as RolloutEvent[]) {
    if (event.type === 'run.started') doc = initialState(event);
    else if (doc) applyEvent(doc, event);
  }
  return doc;
}

const scenario = fc.record({
  failing: fc.subarray(['deploy canary', 'deploy half', 'deploy full', 'undo canary', 'undo half']),
  pauseMs: fc.constantFrom(0, 5 * MINUTE),
  gate: fc.constantFrom('none', 'approval'),
  interruptAtMs: fc.option(fc.integer({ min: 0, max: 8 * MINUTE }), { nil: null }),
  afterwards: fc.constantFrom('resume', 'promote', 'abort'),
});

describe('one fold: the document of an engine run is the fold of its events', () => {
  it('folding the events afterwards gives the document folded live, across run, interrupt and continue', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ failing, pauseMs, gate, interruptAtMs, afterwards }) => {
        const p = plan({ pauseMs, approval: gate === 'approval' ? approval(null, 'abort') : null });
        const h = harness(p, failing);
        const first = h.process();
        if (interruptAtMs !== null) void h.clock.sleep(interruptAtMs).then(() => first.interrupt.abort('SIGINT'));
        await h.clock.runUntilSettled(startRun(p, first.deps));
        expect(refold(h.events)).toEqual(h.state());
        const status = h.state().status;
        if (status === 'paused' || status === 'interrupted') {
          const decision = afterwards === 'resume' ? undefined : ({ decision: afterwards, by: 'alice', reason: null } as const);
          await h.clock.runUntilSettled(continueWith(p, h.state(), h.process().deps, decision));
          expect(refold(h.events)).toEqual(h.state());
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the fold reads event logs of earlier releases', () => {
  it('a stage.passed without `inconclusive` (as 0.1.0 wrote it) folds, with nothing let through', () => {
    const base = { time: '2026-11-25T10:00:00.000Z', runId: 'r' };
    const doc = initialState({ ...base, type: 'run.started', plan: { name: 'p', path: '/p', sha256: 'x', vars: {} }, stages: ['canary'] });
    const old = JSON.parse(JSON.stringify({ ...base, type: 'stage.passed', stage: 'canary', index: 0, durationMs: 5 })) as RolloutEvent;
    applyEvent(doc, old);
    expect(doc.stages[0]).toMatchObject({ status: 'succeeded' });
    expect(doc.stages[0]?.checkResults.inconclusive).toBeUndefined();
  });
});
