import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StateDocument } from '../../src/state/document.js';
import { fleetCrashTrial } from '../helpers/fleet-crash.js';

/**
 * crash-consistency.test.ts for fleets: rollouts over concurrent targets, SIGKILLed at random
 * moments (mid-deploy of two targets at once, mid-soak, mid-rollback of the broken one, mid-write),
 * then resumed until they finish (test/helpers/fleet-crash.ts says what each trial checks).
 * ROLLOUT_FLEET_CRASH_TRIALS raises the count for a stress run.
 */
const TRIALS = Number(process.env.ROLLOUT_FLEET_CRASH_TRIALS ?? 12);
const PARALLEL = 3;

async function readLocal(dir: string): Promise<StateDocument | null> {
  let text: string;
  try {
    text = await readFile(path.join(dir, '.rollout', 'state.json'), 'utf8');
  } catch {
    return null;
  }
  return JSON.parse(text) as StateDocument; // a torn or half-written file fails the trial here
}

describe(`fleet crash consistency: ${TRIALS} rollouts over concurrent targets, killed at random moments`, { timeout: 600_000 }, () => {
  it('always leaves a parseable state that resume finishes: every target updated or rolled back, none deployed twice but the ones in flight', async () => {
    let next = 0;
    let kills = 0;
    let concurrent = 0;
    const worker = async () => {
      while (next < TRIALS) {
        const seed = 3000 + next++;
        const result = await fleetCrashTrial(seed, { planLines: () => [], read: (_seed, dir) => readLocal(dir), resumeArgs: ['resume'], timeoutMs: 60_000 });
        kills += result.kills;
        concurrent += result.concurrentKills;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(`fleet crash consistency: ${kills} SIGKILLs (${concurrent} with two deploys or more in flight) over ${TRIALS} fleet rollouts`);
    // Each trial aims two kills inside the work; a run that finishes first is not killed (a faster engine
    // finishes more of them), so the floor is a third of the trials, not one each.
    expect(kills).toBeGreaterThanOrEqual(Math.ceil(TRIALS / 3));
    // The point of the fleet loop: some kills must hit concurrent deploys, not only one target at a time.
    expect(concurrent).toBeGreaterThan(0);
  });
});
