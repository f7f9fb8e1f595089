import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, runCli, startCli } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { PG_PASSWORD, type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * crash-consistency.test.ts against PostgreSQL: SIGKILL at random moments, then resume (itself
 * killed now and then) until the rollout finishes. Every stored document parses, every rollout
 * finishes in order, no stage that passed is deployed again. Fewer trials: each kill leaves a
 * lease the next attempt must wait out (2 s here).
 */
const TRIALS = Number(process.env.ROLLOUT_PG_CRASH_TRIALS ?? 6);
const KILLED_ATTEMPTS = 2;
const PARALLEL = 2;
const STAGES = ['one', 'two', 'three'];

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const collapse = (lines: string[]) => lines.filter((line, i) => line !== lines[i - 1]);

describe(`crash consistency on PostgreSQL: ${TRIALS} rollouts killed at random moments`, { timeout: 900_000 }, () => {
  let health: HealthServer;
  let db: PostgresServer;
  beforeAll(async () => {
    health = await startHealthServer(200);
    db = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await health?.close();
    await db?.destroy();
  });

  async function stored(key: string): Promise<{ status: string; stages: { status: string }[] } | null> {
    const result = await db.query('SELECT doc::text AS text FROM crash.state WHERE key = $1', [key]).catch(() => ({ rows: [] as { text: string }[] }));
    const text = result.rows[0]?.text;
    return text === undefined ? null : JSON.parse(text); // a torn document would fail here
  }

  async function trial(seed: number): Promise<number> {
    const rand = random(seed);
    const key = `crash${seed}`;
    const dir = await makeTempDir('rollout-pg-crash-');
    await writePlan(
      dir,
      [
        `name: crash`,
        `key: ${key}`,
        `state: "${db.envUrl({ schema: 'crash', leaseTtl: '2s' })}"`,
        'defaults:',
        '  soak: 60ms',
        '  health: { interval: 20ms, failureThreshold: 3 }',
        'stages:',
        ...STAGES.flatMap((name) => [
          `  - name: ${name}`,
          '    deploy: echo "$ROLLOUT_STAGE" >> deploy.log',
          `    health: [{ url: "${health.url(`/${name}`)}" }]`,
        ]),
      ].join('\n'),
    );
    const env = { ROLLOUT_TEST_PGPASS: PG_PASSWORD };
    let kills = 0;
    try {
      for (let attempt = 0; ; attempt++) {
        const before = await stored(key);
        if (before?.status === 'succeeded') break;
        // A run killed after it took the lease but before its first record leaves no record and a lease
        // that lives on for its TTL: the next `run` waits for it as `resume` does.
        const args = before === null ? ['run', '--wait-lock', '60s'] : ['resume', '--wait-lock', '60s'];
        if (attempt >= KILLED_ATTEMPTS) {
          const final = await runCli(args, { cwd: dir, env, timeout: 120_000 });
          expect(final.exitCode, `seed ${seed}: ${describeResult(final)}`).toBe(0);
          break;
        }
        const child = startCli(args, { cwd: dir, env, timeout: 120_000 });
        let timer: NodeJS.Timeout | undefined;
        const kill = () => {
          kills++;
          child.kill('SIGKILL');
        };
        const left = STAGES.length - (before?.stages.filter((s) => s.status === 'succeeded').length ?? 0);
        child.stderr?.once('data', () => {
          timer = setTimeout(kill, Math.floor(rand() * left * 120));
        });
        const result = await child;
        if (timer) clearTimeout(timer);
        if (result.exitCode !== undefined && result.exitCode !== 0) throw new Error(`seed ${seed}: ${args[0]} exited ${result.exitCode}\n${result.all}`);
        const after = await stored(key);
        if (after) expect(after.stages).toHaveLength(STAGES.length);
      }
      expect((await stored(key))?.status, `seed ${seed}`).toBe('succeeded');
      const deploys = await readLines(path.join(dir, 'deploy.log'));
      expect(collapse(deploys), `seed ${seed}: deploys were ${deploys.join(', ')}`).toEqual(STAGES);
      return kills;
    } finally {
      await removeTempDir(dir);
    }
  }

  it('always leaves a parseable record that resume finishes, in order, redeploying only the interrupted stage', async () => {
    let next = 0;
    let kills = 0;
    const worker = async () => {
      while (next < TRIALS) {
        const seed = 2000 + next++;
        const landed = await trial(seed);
        kills += landed;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(`crash consistency on PostgreSQL: ${kills} SIGKILLs over ${TRIALS} rollouts`);
    expect(kills).toBeGreaterThanOrEqual(TRIALS);
  });
});
