import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliOptions, describeResult, runCli as run, STACK_TRACE, startCli as start } from '../helpers/cli.js';
import { PG_PASSWORD, type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * `rollout` against a real PostgreSQL the suite starts: jobs on "different machines" are separate
 * temp dirs with different holder identities (ROLLOUT_HOLDER), sharing only the database.
 */
const SCHEMA = 'e2e';
/** A loaded 2-core CI box can take seconds to start each CLI: give them room. */
const runCli = (args: string[], opts: CliOptions) => run(args, { timeout: 120_000, ...opts });
const startCli = (args: string[], opts: CliOptions) => start(args, { timeout: 120_000, ...opts });
let server: PostgresServer;
let dirs: string[] = [];
let keyCount = 0;
let key: string;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.destroy();
});
beforeEach(() => {
  key = `job${keyCount++}`;
});
afterEach(async () => {
  for (const dir of dirs) await removeTempDir(dir);
  dirs = [];
});

const env = (holder: string) => ({ ROLLOUT_HOLDER: holder, ROLLOUT_TEST_PGPASS: PG_PASSWORD });

/** A "machine": its own checkout of the same plan, whose state lives in PostgreSQL. */
async function machine(stages: string, leaseTtl = '15s', forKey = key): Promise<string> {
  const dir = await makeTempDir('rollout-pg-e2e-');
  dirs.push(dir);
  await writePlan(dir, `name: web\nkey: ${forKey}\nstate: "${server.envUrl({ schema: SCHEMA, leaseTtl })}"\nstages:\n${stages}`);
  return dir;
}
const stage = (name: string, soak = '0', deploy = `echo ${name} >> deploy.log`) => `  - name: ${name}\n    deploy: ${deploy}\n    soak: ${soak}\n`;

async function stored(): Promise<{ runId: string; status: string; stages: { name: string; status: string }[] } | null> {
  const result = await server.query(`SELECT doc FROM ${SCHEMA}.state WHERE key = $1`, [key]).catch(() => ({ rows: [] as { doc: unknown }[] }));
  return (result.rows[0]?.doc as never) ?? null;
}
async function waitFor(predicate: (doc: NonNullable<Awaited<ReturnType<typeof stored>>>) => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const doc = await stored();
    if (doc && predicate(doc)) return;
    if (Date.now() > deadline) throw new Error(`state never matched; last: ${JSON.stringify(doc)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const soaking = (name: string) => (doc: NonNullable<Awaited<ReturnType<typeof stored>>>) => doc.stages.some((s) => s.name === name && s.status === 'soaking');
const lines = (dir: string) => (existsSync(path.join(dir, 'deploy.log')) ? readFileSync(path.join(dir, 'deploy.log'), 'utf8').trim().split('\n') : []);
function expectNoPassword(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(PG_PASSWORD);
    expect(text).not.toContain(encodeURIComponent(PG_PASSWORD));
  }
}

describe('PostgreSQL state: one rollout, many runners', { timeout: 180_000 }, () => {
  it('a pipeline on three machines runs, sees, resumes and rolls back one rollout; no password anywhere', async () => {
    // Short lease and soak keep the test quick; the soak only has to outlast the kill that lands in it.
    const stages = `${stage('one') + stage('two', '5s')}    rollback: echo undo-two >> deploy.log\n`;
    const [a, b, c] = [await machine(stages, '4s'), await machine(stages, '4s'), await machine(stages, '4s')];
    const first = startCli(['run', '--json'], { cwd: a, env: env('runner-a') });
    await waitFor(soaking('two'));
    first.kill('SIGKILL');
    await first;

    const seen = await runCli(['status', '--state', server.url({ schema: SCHEMA }), '--key', key], { cwd: c, env: env('runner-c') });
    expect(seen.exitCode, describeResult(seen)).toBe(0);
    expect(seen.stdout).toMatch(/two\s+soaking/);
    // Another machine finishes it once the dead holder's lease expires (not before).
    const resumed = await runCli(['resume', '--wait-lock', '90s'], { cwd: b, env: env('runner-b') });
    expect(resumed.exitCode, describeResult(resumed)).toBe(1 - 1);
    expect(resumed.stderr).toMatch(/took over the expired lease .*on runner-a/);
    expect(lines(b)).toEqual([]); // nothing redeployed: `two` was soaking, it is soaked again
    const undone = await runCli(['rollback'], { cwd: c, env: env('runner-c') });
    expect(undone.exitCode, describeResult(undone)).toBe(0);
    expect(lines(c)).toEqual(['undo-two']);
    const history = await runCli(['history', '--json'], { cwd: c, env: env('runner-c') });
    const runs = JSON.parse(history.stdout);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'rolled_back', by: expect.stringMatching(/@runner-a$/) });
    const pulled = await runCli(['state', 'pull'], { cwd: c, env: env('runner-c') });
    expect(JSON.parse(pulled.stdout).status).toBe('rolled_back');
    const lease = await server.query(`SELECT holder::text FROM ${SCHEMA}.leases WHERE key = $1`, [key]);
    const outputs = [await first, resumed, undone, history, pulled, seen].map((r) => String(r.all ?? `${r.stdout}${r.stderr}`));
    expectNoPassword(...outputs, JSON.stringify((await stored()) ?? {}), String(lease.rows[0]?.holder));
    for (const text of outputs) expect(text).not.toMatch(STACK_TRACE);
  });

  it('20 races of two runs with different host identities: exactly one proceeds each time, the other exits 4', { timeout: 900_000 }, async () => {
    // The winner's deploy waits until the test has seen the loser finish, so however slowly a
    // loaded machine starts the second process, the two really overlap.
    const deploy = 'i=0; while [ ! -e release ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done; echo only >> deploy.log';
    const outcomes: number[][] = [];
    for (let batch = 0; batch < 5; batch++) {
      const races = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const raceKey = `race${keyCount++}`;
          const plan = stage('only', '0', deploy);
          const [a, b] = [await machine(plan, '15s', raceKey), await machine(plan, '15s', raceKey)];
          const runs = [a, b].map((dir, i) => startCli(['run'], { cwd: dir, env: env(`runner-${'ab'[i]}`), timeout: 300_000 }));
          await Promise.race(runs);
          for (const dir of [a, b]) writeFileSync(path.join(dir, 'release'), '');
          const results = await Promise.all(runs);
          for (const r of results) expect([0, 4], String(r.all)).toContain(r.exitCode);
          expect([...lines(a), ...lines(b)]).toEqual(['only']);
          return results.map((r) => r.exitCode ?? -1).sort();
        }),
      );
      outcomes.push(...races);
    }
    expect(outcomes).toHaveLength(20);
    expect(
      outcomes.every(([winner, loser]) => winner === 0 && loser === 4),
      JSON.stringify(outcomes),
    ).toBe(true);
  });

  it('a holder killed with SIGKILL: the next run is refused until its lease expires, then takes over', async () => {
    const stages = stage('one', '60s');
    // The lease must outlive the gap between the kill and the early attempt (a CLI start), no more.
    const [a, b] = [await machine(stages, '8s'), await machine(stages, '8s')];
    const holder = startCli(['run'], { cwd: a, env: env('runner-a') });
    await waitFor(soaking('one'));
    const before = await server.query(`SELECT expires_at FROM ${SCHEMA}.leases WHERE key = $1`, [key]);
    holder.kill('SIGKILL');
    await holder;
    const early = await runCli(['run'], { cwd: b, env: env('runner-b') });
    expect(early.exitCode, describeResult(early)).toBe(4);
    expect(early.stderr).toMatch(/holds the lease .*run \S+ \(rollout run\) on runner-a/);
    await writePlan(b, `name: web\nkey: ${key}\nstate: "${server.envUrl({ schema: SCHEMA, leaseTtl: '8s' })}"\nstages:\n${stage('one')}`);
    const later = await runCli(['run', '--wait-lock', '90s'], { cwd: b, env: env('runner-b') });
    expect(later.exitCode, describeResult(later)).toBe(0);
    expect(later.stderr).toMatch(/took over the expired lease/);
    const after = await server.query(`SELECT acquired_at FROM ${SCHEMA}.leases WHERE key = $1`, [key]);
    expect((after.rows[0].acquired_at as Date).getTime()).toBeGreaterThanOrEqual((before.rows[0].expires_at as Date).getTime());
  });

  it('a holder paused past its lease loses it: the new holder wins, the old one starts nothing more and exits 5', async () => {
    const stages = stage('one', '4s') + stage('two');
    const [a, b] = [await machine(stages, '5s'), await machine(stage('one') + stage('two'), '5s')];
    const old = startCli(['run'], { cwd: a, env: env('runner-a') });
    await waitFor(soaking('one'));
    process.kill(old.pid as number, 'SIGSTOP');
    try {
      const taker = await runCli(['run', '--wait-lock', '90s'], { cwd: b, env: env('runner-b') });
      expect(taker.exitCode, describeResult(taker)).toBe(0);
    } finally {
      process.kill(old.pid as number, 'SIGCONT');
    }
    const result = await old;
    expect(result.exitCode, String(result.all)).toBe(5);
    expect(String(result.all)).toMatch(/lost its lease .*(taken over by run \S+ \(rollout run\) on runner-b|it is now fence)/);
    expect(lines(a)).toEqual(['one']); // `two` never started on the old holder
    const doc = await stored();
    expect(doc?.status).toBe('succeeded'); // the new holder's record stands
    expect(lines(b)).toEqual(['one', 'two']);
  });

  it('connection cut with pg_terminate_backend and the lease expired: the holder exits 5; cut with the lease valid: it reconnects and finishes', async () => {
    const cut = () => server.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rolloutctl'`);
    // Valid lease: a cut connection alone is not a lost lease.
    const ok = await machine(stage('one', '4s') + stage('two'));
    const survivor = startCli(['run'], { cwd: ok, env: env('runner-a') });
    await waitFor(soaking('one'));
    await cut();
    const fine = await survivor;
    expect(fine.exitCode, String(fine.all)).toBe(0);
    expect(lines(ok)).toEqual(['one', 'two']);

    key = `job${keyCount++}`;
    const [a, b] = [await machine(stage('one', '6s') + stage('two')), await machine(stage('one'))];
    const old = startCli(['run'], { cwd: a, env: env('runner-a') });
    await waitFor(soaking('one'));
    await server.query(`UPDATE ${SCHEMA}.leases SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    await cut();
    const taker = await runCli(['run'], { cwd: b, env: env('runner-b') });
    expect(taker.exitCode, describeResult(taker)).toBe(0);
    const result = await old;
    expect(result.exitCode, String(result.all)).toBe(5);
    expect(lines(a)).toEqual(['one']);
    expect((await stored())?.runId).toMatch(/./);
    expect((await stored())?.status).toBe('succeeded');
  });

  it('state migrate copies a local state and its history into PostgreSQL; a second migrate needs --force', async () => {
    const dir = await makeTempDir('rollout-pg-e2e-');
    dirs.push(dir);
    await writePlan(dir, `name: web\nstages:\n${stage('one')}`);
    for (let i = 0; i < 2; i++) expect((await runCli(['run'], { cwd: dir, env: env('runner-a') })).exitCode).toBe(0);
    const local = JSON.parse((await runCli(['history', '--json'], { cwd: dir, env: env('runner-a') })).stdout) as { runId: string }[];
    expect(local).toHaveLength(2);

    const to = server.url({ schema: SCHEMA });
    const migrated = await runCli(['state', 'migrate', '--to', to, '--key', key], { cwd: dir, env: env('runner-a') });
    expect(migrated.exitCode, describeResult(migrated)).toBe(0);
    expect(migrated.stdout).toMatch(new RegExp(`Migrated 2 run\\(s\\) .* \\(key ${key}\\); current run ${local[0]?.runId}`));
    const shared = await runCli(['history', '--json', '--state', to, '--key', key], { cwd: dir, env: env('runner-b') });
    expect((JSON.parse(shared.stdout) as { runId: string }[]).map((r) => r.runId).sort()).toEqual(local.map((r) => r.runId).sort());
    expect((await stored())?.runId).toBe(local[0]?.runId);

    const again = await runCli(['state', 'migrate', '--to', to, '--key', key], { cwd: dir, env: env('runner-a') });
    expect(again.exitCode, describeResult(again)).toBe(2);
    expect(again.stderr).toMatch(/already holds a record for key .*pass --force/);
    expect((await runCli(['state', 'migrate', '--to', to, '--key', key, '--force'], { cwd: dir, env: env('runner-a') })).exitCode).toBe(0);
    expectNoPassword(migrated.all, again.all, shared.all);
  });

  it('database unreachable at start: exit 2, nothing deployed, no password in the message', async () => {
    const dir = await makeTempDir('rollout-pg-e2e-');
    dirs.push(dir);
    const url = server.url({ schema: SCHEMA }).replace(`:${server.port}/`, ':1/');
    await writePlan(dir, `name: web\nstages:\n${stage('one')}`);
    const result = await runCli(['run', '--state', url], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toMatch(/cannot reach the state database postgres:\/\/rollout@127\.0\.0\.1:1\/postgres.*Nothing was run/);
    expect(lines(dir)).toEqual([]);
    expectNoPassword(result.all);
  });

  it('database killed mid-run: exit 3, the record saved beside the plan, and `state push` restores it so resume can finish', async () => {
    const stages = stage('one', '3s') + stage('two');
    const dir = await machine(stages, '5s');
    const run = startCli(['run'], { cwd: dir, env: env('runner-a') });
    await waitFor(soaking('one'));
    await server.stop();
    let result: Awaited<typeof run>;
    try {
      result = await run;
    } finally {
      await server.start();
    }
    expect(result.exitCode, String(result.all)).toBe(3);
    const fallback = readdirSync(dir).find((f) => f.endsWith('.errored.json'));
    expect(fallback, readdirSync(dir).join(', ')).toBeDefined();
    expect(String(result.all)).toContain(`rollout state push ${path.join(dir, fallback as string)}`);
    expect(String(result.all)).not.toMatch(STACK_TRACE);
    expect(lines(dir)).toEqual(['one']); // nothing started after the failure
    expectNoPassword(String(result.all), readFileSync(path.join(dir, fallback as string), 'utf8'));

    const pushed = await runCli(['state', 'push', fallback as string], { cwd: dir, env: env('runner-a') });
    expect(pushed.exitCode, describeResult(pushed)).toBe(0);
    const resumed = await runCli(['resume', '--wait-lock', '90s'], { cwd: dir, env: env('runner-a') });
    expect(resumed.exitCode, describeResult(resumed)).toBe(0);
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['one', 'two']);
  });
});
