import { performance } from 'node:perf_hooks';
import { cliEnv, measure, measureCli, median, percentile, removeDir, repoRoot, round, row, tempDir, writePlan } from './lib/common.js';
import { startPostgres } from './lib/postgres.js';

/**
 * Figure 6, state backends: one transition write (lock held, compare-and-swap) on loopback
 * PostgreSQL next to the local file backend, median and p99; and stage overhead with the state in
 * PostgreSQL (as figure 2, `true` deploys against a shell loop), target ≤ 15 ms a stage.
 */
export async function bench({ writes = 300, runs = 3, stages = 100 } = {}) {
  const { openBackend } = await import(`${repoRoot}/dist/state/registry.js`);
  const { storedRecord } = await import(`${repoRoot}/dist/state/backend.js`);
  const { systemClock } = await import(`${repoRoot}/dist/clock.js`);
  const dir = tempDir('state');
  const db = await startPostgres();
  try {
    const timings = {};
    for (const [name, location] of [
      ['file', `${dir}/state.json`],
      ['pg', `${db.url}?schema=bench`],
    ]) {
      const backend = await openBackend(location, { key: 'bench', env: {}, host: 'bench', clock: systemClock, baseDir: dir });
      const now = new Date().toISOString();
      const lock = await backend.lock(
        { runId: 'bench', pid: process.pid, host: 'bench', startedAt: now, command: 'bench', heartbeatAt: now, token: 'bench' },
        { warn: () => {}, now: () => Date.now(), waitMs: 0, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
      );
      const doc = sampleDocument();
      let expected = null;
      const samples = [];
      for (let i = 0; i < writes; i++) {
        doc.serial++;
        const record = storedRecord(doc, `${JSON.stringify(doc, null, 2)}\n`);
        const t = performance.now();
        await backend.write(record, expected);
        samples.push(performance.now() - t);
        expected = { lineage: doc.lineage, serial: doc.serial };
      }
      await lock.release();
      await backend.close();
      timings[name] = samples;
    }

    const plan = writePlan(dir, { stages: Array.from({ length: stages }, (_, i) => ({ name: `s${i + 1}`, deploy: 'true', soak: '0s' })) });
    const loop = `i=0; while [ $i -lt ${stages} ]; do sh -c true; i=$((i+1)); done`;
    const env = cliEnv();
    const ours = [];
    const shell = [];
    for (let run = 0; run < runs; run++) {
      shell.push((await measure('/bin/sh', ['-c', loop], { env })).wallMs);
      ours.push((await measureCli(['run', '--config', plan, '--state', `${db.url}?schema=bench`, '--key', `stages-${run}`], { env, cwd: dir })).wallMs);
    }
    const perStage = (median(ours) - median(shell)) / stages;
    const write = (p) => [round(percentile(timings.pg, p), 2), round(percentile(timings.file, p), 2)];
    return [
      row({
        id: 'state.write.p50',
        figure: 'state write, PostgreSQL vs local file (median)',
        unit: 'ms',
        ours: write(50)[0],
        baseline: write(50)[1],
        target: 'figure',
        pass: null,
        note: `${writes} CAS writes each, lock held, loopback, fsync on`,
      }),
      row({
        id: 'state.write.p99',
        figure: 'state write, PostgreSQL vs local file (p99)',
        unit: 'ms',
        ours: write(99)[0],
        baseline: write(99)[1],
        target: 'figure',
        pass: null,
        note: `${writes} writes`,
      }),
      row({
        id: 'stages.overhead.pg',
        figure: `stage overhead with PostgreSQL state (${stages} stages)`,
        unit: 'ms',
        ours: round(median(ours)),
        baseline: round(median(shell)),
        target: '≤ 15 ms/stage',
        pass: perStage <= 15,
        note: `${round(perStage, 2)} ms/stage of our own, median of ${runs}`,
      }),
    ];
  } finally {
    await db.stop();
    removeDir(dir);
  }
}

/** A five-stage document mid-run: the size a real transition writes. */
function sampleDocument() {
  const t = new Date().toISOString();
  const stage = (name, status) => ({
    name,
    status,
    startedAt: t,
    finishedAt: null,
    deploy: { command: `./deploy.sh ${name}`, exitCode: 0, signal: null, timedOut: false, durationMs: 1200 },
    soak: { ms: 60000, startedAt: t },
    health: {
      polls: 12,
      failures: 0,
      lastError: null,
      checks: [
        {
          name: 'healthz',
          url: 'https://svc/healthz',
          polls: 12,
          failures: 0,
          consecutiveFailures: 0,
          lastOk: true,
          lastStatus: 200,
          lastLatencyMs: 12,
          lastError: null,
          lastPolledAt: t,
        },
      ],
    },
    rollback: { command: null, exitCode: null, durationMs: null, timedOut: false, skipped: null },
  });
  return {
    version: 1,
    runId: 'bench',
    lineage: 'bench-lineage',
    serial: 0,
    plan: { name: 'bench', path: '/bench/rollout.config.yml', sha256: 'x'.repeat(64), vars: { image_tag: 'v1' } },
    status: 'running',
    interruptedBy: null,
    resumes: 0,
    startedAt: t,
    updatedAt: t,
    finishedAt: null,
    stages: ['canary', 'eu', 'us', 'ap', 'all'].map((n, i) => stage(n, i < 2 ? 'succeeded' : i === 2 ? 'soaking' : 'pending')),
    failure: null,
    rollback: null,
  };
}
