import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateDocument } from '../../src/state/document.js';
import { fleetCrashTrial } from '../helpers/fleet-crash.js';
import { PG_PASSWORD, type PostgresServer, startPostgres } from '../helpers/postgres.js';

/**
 * fleet-crash-consistency.test.ts with the state in PostgreSQL. Fewer trials: each kill leaves a
 * lease the next attempt must wait out (2 s here).
 */
const TRIALS = Number(process.env.ROLLOUT_FLEET_PG_CRASH_TRIALS ?? 4);
const PARALLEL = 2;

describe(`fleet crash consistency on PostgreSQL: ${TRIALS} rollouts killed at random moments`, { timeout: 900_000 }, () => {
  let db: PostgresServer;
  beforeAll(async () => {
    db = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
  });

  async function stored(seed: number): Promise<StateDocument | null> {
    const result = await db
      .query('SELECT doc::text AS text FROM fleetcrash.state WHERE key = $1', [`fleet${seed}`])
      .catch(() => ({ rows: [] as { text: string }[] }));
    const text = result.rows[0]?.text;
    return text === undefined ? null : (JSON.parse(text) as StateDocument); // a torn document would fail here
  }

  it('always leaves a parseable record that resume finishes: every target updated or rolled back, none deployed twice but the ones in flight', async () => {
    let next = 0;
    let kills = 0;
    let concurrent = 0;
    const worker = async () => {
      while (next < TRIALS) {
        const seed = 4000 + next++;
        const result = await fleetCrashTrial(seed, {
          planLines: (s) => [`key: fleet${s}`, `state: "${db.envUrl({ schema: 'fleetcrash', leaseTtl: '2s' })}"`],
          read: (s) => stored(s),
          resumeArgs: ['resume', '--wait-lock', '60s'],
          env: { ROLLOUT_TEST_PGPASS: PG_PASSWORD },
          timeoutMs: 120_000,
        });
        kills += result.kills;
        concurrent += result.concurrentKills;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(`fleet crash consistency on PostgreSQL: ${kills} SIGKILLs (${concurrent} with two deploys or more in flight) over ${TRIALS} fleet rollouts`);
    // Each trial aims two kills inside the work; a run that finishes first is not killed (a faster engine
    // finishes more of them), so the floor is a third of the trials, not one each.
    expect(kills).toBeGreaterThanOrEqual(Math.ceil(TRIALS / 3));
    // The point of the fleet loop: some kills must hit concurrent deploys, not only one target at a time.
    expect(concurrent).toBeGreaterThan(0);
  });
});
