import { describe, expect, it } from 'vitest';
import type { RolloutEvent, RunStarted } from '../../src/engine/events.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import type { StateDocument } from '../../src/state/document.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { count, fleetHarness, fleetStage } from './fleet-harness.js';

/** The document the events make, folded one by one (what the store and every reader do). */
function fold(events: readonly RolloutEvent[]): StateDocument {
  const [first, ...rest] = events;
  const doc = initialState(first as RunStarted);
  for (const event of rest) applyEvent(doc, event);
  return doc;
}

/**
 * Another order the engine may emit the same events in: between two events about no single
 * target (a batch starting, a batch finishing…), the targets' events interleave in any way that
 * keeps each target's own order.
 */
function interleave(events: readonly RolloutEvent[], random: () => number): RolloutEvent[] {
  const out: RolloutEvent[] = [];
  let lanes = new Map<string, RolloutEvent[]>();
  const drain = () => {
    const queues = [...lanes.values()];
    while (queues.some((q) => q.length > 0)) {
      const open = queues.filter((q) => q.length > 0);
      out.push((open[Math.floor(random() * open.length)] as RolloutEvent[]).shift() as RolloutEvent);
    }
    lanes = new Map();
  };
  for (const event of events) {
    const target = (event as { target?: string }).target;
    if (target === undefined) {
      drain();
      out.push(event);
    } else lanes.set(target, [...(lanes.get(target) ?? []), event]);
  }
  drain();
  return out;
}

describe('folding a fleet run is independent of how its concurrent targets interleave', () => {
  const batches = [['a'], ['b', 'c', 'd'], ['e', 'f', 'g', 'h']];
  const cases = [
    { name: 'a run that tolerates its failures', tolerated: 2, failing: ['deploy@c', 'deploy@g'], status: 'succeeded' },
    { name: 'a run whose budget is exceeded, undone side by side', tolerated: 0, failing: ['deploy@f', 'undo@b'], status: 'rollback_failed' },
  ];
  it.each(cases)('$name: any interleaving the engine may emit folds to the document folded live', async (c) => {
    const h = fleetHarness([fleetStage('fleet', 0, batches, { maxParallel: 3, budget: { perBatch: null, total: count(c.tolerated), minHealthy: null } })], {
      failing: c.failing,
    });
    expect(await h.run()).toBe(c.status);
    const live = structuredClone(h.state());
    const events = h.events.filter((e) => e.type !== 'command.output');
    const random = seededRandom(17);
    for (let trial = 0; trial < 200; trial++) {
      const doc = fold(interleave(events, random));
      // The last event's time is the document's; everything else must agree exactly.
      expect({ ...doc, updatedAt: live.updatedAt }).toEqual(live);
    }
  });
});
