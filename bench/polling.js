import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEnv, measure, measureCli, median, percentile, removeDir, round, row, tempDir, writePlan } from './lib/common.js';
import { scheduleJitter, startHealthServer } from './lib/health-server.js';
import { buildRevision, MAIN_2026_11_25 } from './lib/old-main.js';

const CURL = '/usr/bin/curl';
const curlLoop = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'curl-loop.sh');

/**
 * Figure 3, polling at scale: `checks` HTTP checks every `intervalMs` for `seconds` (one stage,
 * soak = seconds), against a bash loop of curl doing the same polls, and against the CLI of the
 * main of 2026-11-25 (`baselineRevision`, built from git; null skips it) on the same plan, for
 * issue 16's CPU target. The local server records when each check's polls arrive; CPU and peak
 * RSS come from /usr/bin/time.
 */
export async function bench({ runs = 3, checks = 1000, seconds = 30, intervalMs = 1000, baselineRevision = MAIN_2026_11_25 } = {}) {
  const dir = tempDir('polling');
  const server = await startHealthServer();
  const main = baselineRevision === null ? { bin: null, dir: null, why: 'not run (smoke)' } : buildRevision(baselineRevision);
  try {
    const env = cliEnv();
    const rounds = Math.ceil((seconds * 1000) / intervalMs);
    const expected = checks * rounds;
    const sides = { ours: [], curl: [], main: [] };
    for (let run = 0; run < runs; run++) {
      const paths = Array.from({ length: checks }, (_, i) => `/r${run}/c${i}`);
      const plan = writePlan(dir, {
        file: `plan-${run}.yml`,
        stages: [
          {
            name: 'fleet',
            deploy: 'true',
            soak: `${seconds}s`,
            health: paths.map((p) => ({ url: server.url(p), interval: `${intervalMs}ms`, timeout: '2s' })),
          },
        ],
      });
      server.reset();
      const statePath = path.join(dir, `state-${run}.json`);
      const ours = await measureCli(['run', '--config', plan, '--state', statePath], { env, cwd: dir, withTime: true });
      sides.ours.push({ ...ours, ...scheduleJitter(server.arrivals, paths, intervalMs), stateBytes: statSync(statePath).size });

      if (main.bin !== null) {
        server.reset();
        const mainState = path.join(dir, `main-state-${run}.json`);
        const old = await measure(process.execPath, [main.bin, 'run', '--config', plan, '--state', mainState], { env, cwd: dir, withTime: true });
        if (old.code !== 0) throw new Error(`the main of ${baselineRevision} exited ${old.code ?? old.signal} on the polling plan`);
        sides.main.push({ ...old, polls: scheduleJitter(server.arrivals, paths, intervalMs).polls, stateBytes: statSync(mainState).size });
      }

      server.reset();
      if (!existsSync(CURL)) continue;
      const urlFile = path.join(dir, `urls-${run}.txt`);
      writeFileSync(urlFile, `${paths.map((p) => server.url(p)).join('\n')}\n`);
      const curl = await measure('/bin/bash', [curlLoop, urlFile, String(intervalMs), String(rounds)], { env, cwd: dir, withTime: true });
      sides.curl.push({ ...curl, ...scheduleJitter(server.arrivals, paths, intervalMs) });
    }
    const stat = (side, pick) => median(sides[side].map(pick));
    const p50 = (s) => percentile(s.jitters, 50);
    const p99 = (s) => percentile(s.jitters, 99);
    const polls = (side) => `${Math.round(stat(side, (s) => s.polls))}/${expected}`;
    const label = `${checks} checks × ${seconds}s`;
    const shared = round(stat('ours', (s) => percentile(s.sharedJitters, 99)));
    const note = `against one schedule shared by all checks: p99 ${shared} ms; polls made: ours ${polls('ours')}, curl ${polls('curl')}; median of ${runs}`;
    // The curl loop cannot keep up (a round of 1,000 curls takes seconds on 2 cores), so it makes
    // fewer polls than we do: its CPU is compared per poll, scaled to the polls we made.
    const oursCpu = stat('ours', (s) => s.cpuSeconds);
    const oursPolls = stat('ours', (s) => s.polls);
    const curlCpuRaw = stat('curl', (s) => s.cpuSeconds);
    const curlCpu = median(
      sides.curl.map((s) => (s.cpuSeconds === null || s.polls === 0 ? null : (s.cpuSeconds / s.polls) * oursPolls)).filter((v) => v !== null),
    );
    const oursRss = stat('ours', (s) => s.peakRssMb);
    const mainCpu = sides.main.length === 0 ? null : stat('main', (s) => s.cpuSeconds);
    const mainNote =
      sides.main.length === 0
        ? `no baseline: ${main.why}`
        : `the CLI of ${baselineRevision} (the main of 2026-11-25) on the same plan, run after ours each round: ${polls('main')} polls, peak RSS ${round(stat('main', (s) => s.peakRssMb))} MB, state ${round(stat('main', (s) => s.stateBytes) / 1024)} KB; median of ${runs}`;
    const statePerCheck = stat('ours', (s) => s.stateBytes) / checks;
    return [
      row({
        id: 'polling.jitter.p50',
        figure: `polling ${label}: jitter p50`,
        unit: 'ms',
        ours: round(stat('ours', p50)),
        baseline: round(stat('curl', p50)),
        target: '—',
        pass: null,
        note,
      }),
      row({
        id: 'polling.jitter.p99',
        figure: `polling ${label}: jitter p99`,
        unit: 'ms',
        ours: round(stat('ours', p99)),
        baseline: round(stat('curl', p99)),
        target: '≤ 50 ms',
        pass: stat('ours', p99) <= 50,
        note,
      }),
      row({
        id: 'polling.cpu',
        figure: `polling ${label}: CPU`,
        unit: 's',
        ours: round(oursCpu, 2),
        baseline: round(curlCpu, 2),
        target: '≤ 0.1× curl loop',
        pass: oursCpu === null || curlCpu === null ? null : oursCpu <= curlCpu / 10,
        note: oursCpu === null ? '/usr/bin/time missing' : `curl loop per poll × our ${oursPolls} polls; it used ${round(curlCpuRaw, 2)} s for its own`,
      }),
      row({
        id: 'polling.cpu.main',
        figure: `polling ${label}: CPU against the main of 2026-11-25`,
        unit: 's',
        ours: round(oursCpu, 2),
        baseline: round(mainCpu, 2),
        target: '≤ 1× main of 2026-11-25',
        pass: oursCpu === null || mainCpu === null ? null : oursCpu <= mainCpu,
        note: mainNote,
      }),
      row({
        id: 'polling.rss',
        figure: `polling ${label}: peak RSS`,
        unit: 'MB',
        ours: round(oursRss),
        baseline: round(stat('curl', (s) => s.peakRssMb)),
        target: '≤ 150 MB',
        pass: oursRss === null ? null : oursRss <= 150,
        note: 'baseline: largest single process of the loop',
      }),
      row({
        id: 'polling.state',
        figure: `polling ${label}: state per check`,
        unit: 'B',
        ours: Math.round(statePerCheck),
        baseline: null,
        target: '≤ 1 KB',
        pass: statePerCheck <= 1024,
        note: `the state file after the run, ${round(stat('ours', (s) => s.stateBytes) / 1024)} KB for ${checks} checks`,
      }),
    ];
  } finally {
    await server.close();
    removeDir(dir);
    if (main.dir !== null) removeDir(main.dir);
  }
}
