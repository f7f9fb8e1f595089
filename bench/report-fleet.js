import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileEventLogStore } from '../dist/report/event-log.js';
import { cliEnv, measureCli, removeDir, round, row, tempDir } from './lib/common.js';
import { fleetRunEvents } from './lib/fleet-run.js';
import { record, renderRow } from './report.js';

/**
 * Issue 17's report figure: one fleet stage of `targets` targets (batches 1, 49, then 150 at a
 * time, 50 deploys at once; each target deployed, verified and checked five times; one in 16
 * fails — its checks, its deploy or its verify — and is rolled back, which is more failed targets
 * than get charts; a fleet check during each bake), recorded through the
 * real event log and written by the built `rollout report`. Figures: the page's size, and the
 * time headless Chromium takes from navigation start to every chart drawn (the swimlane of 500
 * lanes is laid out by then), against a one-stage, ten-measurement report opened the same way.
 */
export async function bench({ runs = 5, targets = 500 } = {}) {
  const dir = tempDir('report-fleet');
  try {
    const fleet = recordFleet(dir, targets);
    const small = record(dir, 'small', 1, 10);
    const env = cliEnv();
    await measureCli(['report', '--state', fleet.state, '--out', fleet.out], { env, cwd: dir });
    await measureCli(['report', '--state', small.state, '--out', small.out], { env, cwd: dir });
    const bytes = statSync(fleet.out).size;
    const rows = [
      row({
        id: 'report.fleet.size',
        figure: `report: one fleet stage of ${targets} targets: size`,
        unit: 'KB',
        ours: round(bytes / 1024),
        baseline: round(statSync(small.out).size / 1024),
        target: '< 2 MB',
        pass: bytes < 2 * 1024 ** 2,
        note: `a lane per target, ${Math.ceil(targets / 16)} failed; charts for the first 24 failed targets' checks and the fleet check only; baseline: 1 stage, 10 measurements`,
      }),
    ];
    rows.push(
      await renderRow(dir, {
        id: 'report.fleet.render',
        figure: `report: one fleet stage of ${targets} targets: render in headless Chromium`,
        small: small.out,
        big: fleet.out,
        runs,
      }),
    );
    return rows;
  } finally {
    removeDir(dir);
  }
}

/** The fleet run's events (bench/lib/fleet-run.js) through the real event log; where its state and report go. */
function recordFleet(dir, targets) {
  const state = path.join(dir, 'fleet', 'state.json');
  mkdirSync(path.dirname(state), { recursive: true });
  // Every 16th target fails (its checks, its deploy or its verify, in turn): more than the charts' cap.
  const ways = ['check', 'deploy', 'check', 'verify'];
  const failing = new Map(Array.from({ length: Math.ceil(targets / 16) }, (_, k) => [k * 16 + 5, ways[k % ways.length]]));
  const events = fleetRunEvents({ targets, failing });
  const [first] = events;
  const log = fileEventLogStore(state).open(
    { type: 'log.opened', time: first.time, runId: first.runId, command: 'rollout run', origin: { host: 'bench', user: null, ci: null } },
    (m) => {
      throw new Error(m);
    },
  );
  for (const event of events) log.append(event);
  log.close();
  return { state, out: path.join(dir, 'fleet.html') };
}
