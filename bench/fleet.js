import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { binPath, cliEnv, measure, median, removeDir, round, row, tempDir } from './lib/common.js';

/**
 * Figure 7, fleets (issue 17): one stage of `targets` targets, `maxParallel` deploys at once,
 * deploy `true`, no checks, no soak, against the same plan with 1 target in the same run.
 * - Our own CPU per target: the CLI process's own user + system time (process.cpuUsage() at exit,
 *   through a preload: the deploys' shells are not ours), the difference over the extra targets.
 * - The state document's size, and how many times it was written (its `serial` at the end).
 * - The HTML report's size (`rollout report` of the run).
 */
export async function bench({ runs = 3, targets = 500, maxParallel = 50 } = {}) {
  const dir = tempDir('fleet');
  try {
    const preload = path.join(dir, 'cpu-usage.mjs');
    // Written at exit, after everything the run did; process.exit() still runs 'exit' listeners.
    writeFileSync(
      preload,
      "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.BENCH_CPU_FILE, JSON.stringify(process.cpuUsage())));\n",
    );
    const big = writeFleetPlan(dir, 'big', targets, maxParallel);
    const one = writeFleetPlan(dir, 'one', 1, maxParallel);
    const cpu = { big: [], one: [] };
    const wall = { big: [], one: [] };
    let lastState = null;
    for (let run = 0; run < runs; run++) {
      for (const [label, plan] of [
        ['one', one],
        ['big', big],
      ]) {
        const state = path.join(dir, 'state', `${label}-${run}.json`);
        const measured = await measureRun(dir, preload, ['run', '--config', plan, '--state', state]);
        cpu[label].push(measured.cpuMs);
        wall[label].push(measured.wallMs);
        if (label === 'big') lastState = state;
      }
    }
    const doc = JSON.parse(readFileSync(lastState, 'utf8'));
    const docBytes = statSync(lastState).size;
    const oneDoc = JSON.parse(readFileSync(path.join(dir, 'state', `one-${runs - 1}.json`), 'utf8'));
    const updated = doc.stages[0]?.targets?.filter((t) => t.status === 'updated').length;
    if (updated !== targets) throw new Error(`the ${targets}-target run updated ${updated} targets`);
    const report = path.join(dir, 'report.html');
    const oneReport = path.join(dir, 'report-one.html');
    await measureRun(dir, preload, ['report', '--state', lastState, '--out', report]);
    await measureRun(dir, preload, ['report', '--state', path.join(dir, 'state', `one-${runs - 1}.json`), '--out', oneReport]);

    const oursCpu = median(cpu.big);
    const oneCpu = median(cpu.one);
    const perTarget = (oursCpu - oneCpu) / (targets - 1);
    const reportBytes = statSync(report).size;
    return [
      row({
        id: 'fleet.cpu',
        figure: `fleet: ${targets} targets, maxParallel ${maxParallel}: CPU of the CLI`,
        unit: 'ms',
        ours: round(oursCpu),
        baseline: round(oneCpu),
        target: '≤ 5 ms/target',
        pass: perTarget <= 5,
        note: `${round(perTarget, 2)} ms CPU per target of our own (deploys' shells excluded), median of ${runs}; baseline: 1 target`,
      }),
      row({
        id: 'fleet.wall',
        figure: `fleet: ${targets} targets: wall time`,
        unit: 'ms',
        ours: round(median(wall.big)),
        baseline: round(median(wall.one)),
        target: 'info',
        pass: null,
        note: `median of ${runs}; baseline: 1 target`,
      }),
      row({
        id: 'fleet.state',
        figure: `fleet: ${targets} targets: state document`,
        unit: 'KB',
        ours: round(docBytes / 1024),
        baseline: round(statSync(path.join(dir, 'state', `one-${runs - 1}.json`)).size / 1024),
        target: '≤ 1 MB',
        pass: docBytes <= 1024 ** 2,
        note: `${round(docBytes / targets)} bytes per target; baseline: 1 target`,
      }),
      row({
        id: 'fleet.writes',
        figure: `fleet: ${targets} targets: state writes`,
        unit: 'writes',
        ours: doc.serial,
        baseline: oneDoc.serial,
        target: 'info (coalesced)',
        pass: null,
        note: `the document's serial at the end: ${round(doc.serial / targets, 2)} writes per target; baseline: 1 target`,
      }),
      row({
        id: 'fleet.report',
        figure: `fleet: ${targets} targets: HTML report`,
        unit: 'KB',
        ours: round(reportBytes / 1024),
        baseline: round(statSync(oneReport).size / 1024),
        target: '≤ 2 MB',
        pass: reportBytes <= 2 * 1024 ** 2,
        note: '`rollout report` of the run; baseline: 1 target',
      }),
    ];
  } finally {
    removeDir(dir);
  }
}

/** Runs the CLI with the CPU preload; fails loudly unless it exits 0. */
async function measureRun(dir, preload, args) {
  const cpuFile = path.join(dir, 'cpu.json');
  const env = { ...cliEnv(), BENCH_CPU_FILE: cpuFile };
  const result = await measure(process.execPath, ['--import', pathToFileURL(preload).href, binPath, ...args], { env, cwd: dir, stderr: 'pipe' });
  if (result.code !== 0) {
    // Run it once more for its message: a broken bench is not a figure, and must say why.
    const again = spawnSync(process.execPath, [binPath, ...args], { env, cwd: dir, encoding: 'utf8' });
    throw new Error(`rollout ${args.join(' ')} exited ${result.code ?? result.signal}: ${again.stderr.trim().split('\n').slice(0, 5).join(' / ')}`);
  }
  const usage = JSON.parse(readFileSync(cpuFile, 'utf8'));
  return { wallMs: result.wallMs, cpuMs: (usage.user + usage.system) / 1000 };
}

/** A plan of `count` targets in one stage (written by hand: the bench must not depend on what it measures). */
function writeFleetPlan(dir, label, count, maxParallel) {
  const names = Array.from({ length: count }, (_, i) => `t${String(i + 1).padStart(4, '0')}`);
  const lines = [
    `name: bench-fleet-${label}`,
    'targets:',
    ...names.map((name, i) => `  ${name}: { host: ${name}.internal, region: r${i % 5} }`),
    'stages:',
    '  - name: fleet',
    '    targets: "*"',
    `    maxParallel: ${maxParallel}`,
    '    deploy: "true"',
    '    soak: 0s',
  ];
  const planPath = path.join(dir, `${label}.yml`);
  writeFileSync(planPath, `${lines.join('\n')}\n`);
  return planPath;
}
