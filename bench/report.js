import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { fileEventLogStore } from '../dist/report/event-log.js';
import { cliEnv, measureCli, median, removeDir, round, row, tempDir } from './lib/common.js';

export const CHROMIUM = '/usr/bin/chromium';
const START = Date.UTC(2026, 10, 25, 10, 0, 0);

/**
 * Figure 6, the run report: a run of `stages` stages and `measurements` measurements (one check
 * a stage, the last stage failing), recorded through the real event log, written by the built
 * `rollout report`. Figures: the page's size, and the time headless Chromium takes from
 * navigation start to every chart drawn, against a one-stage, ten-measurement report opened the
 * same way in the same run.
 */
export async function bench({ runs = 5, stages = 50, measurements = 20_000 } = {}) {
  const dir = tempDir('report');
  try {
    const big = record(dir, 'big', stages, measurements);
    const small = record(dir, 'small', 1, 10);
    const env = cliEnv();
    const write = [];
    for (let i = 0; i < runs; i++) write.push((await measureCli(['report', '--state', big.state, '--out', big.out], { env, cwd: dir })).wallMs);
    await measureCli(['report', '--state', small.state, '--out', small.out], { env, cwd: dir });
    const bytes = statSync(big.out).size;
    const rows = [
      row({
        id: 'report.size',
        figure: `report: ${stages} stages, ${measurements.toLocaleString('en')} measurements: size`,
        unit: 'KB',
        ours: round(bytes / 1024),
        baseline: round(statSync(small.out).size / 1024),
        target: '< 2 MB',
        pass: bytes < 2 * 1024 ** 2,
        note: 'baseline: 1 stage, 10 measurements (mostly the inlined uPlot)',
      }),
      row({
        id: 'report.write',
        figure: 'report: `rollout report` wall time',
        unit: 'ms',
        ours: round(median(write)),
        baseline: null,
        target: 'info',
        pass: null,
        note: `median of ${runs}`,
      }),
    ];
    rows.push(
      await renderRow(dir, {
        id: 'report.render',
        figure: `report: ${stages} stages, ${measurements.toLocaleString('en')} measurements: render in headless Chromium`,
        small: small.out,
        big: big.out,
        runs,
      }),
    );
    return rows;
  } finally {
    removeDir(dir);
  }
}

/**
 * How long Chromium takes to draw `big` (navigation start → every chart drawn), median of `runs`,
 * against `small` in the same browser: one row; a row saying so when Chromium is missing.
 */
export async function renderRow(dir, { id, figure, small, big, runs, note = '' }) {
  if (!existsSync(CHROMIUM)) {
    return row({ id, figure, unit: 'ms', ours: null, baseline: null, target: '< 2 s', pass: null, note: 'Chromium missing: run bash .ci/install-deps.sh' });
  }
  const ours = [];
  const baseline = [];
  // One browser for every measurement: its start-up is not the page's render time.
  const browser = await launch(dir);
  try {
    await renderMs(browser, small); // warm-up, not recorded
    for (let i = 0; i < runs; i++) {
      baseline.push(await renderMs(browser, small));
      ours.push(await renderMs(browser, big));
    }
  } finally {
    await browser.close();
  }
  const renderMedian = median(ours);
  return row({
    id,
    figure,
    unit: 'ms',
    ours: round(renderMedian),
    baseline: round(median(baseline)),
    target: '< 2 s',
    pass: renderMedian < 2000,
    note: `navigation start → all charts drawn, median of ${runs} (max ${round(Math.max(...ours))}), load average ${os.loadavg()[0].toFixed(1)}; baseline: 1 stage, 10 measurements${note}`,
  });
}

/** Writes a synthetic run through the real event log; returns where its state and report go. */
export function record(dir, name, stages, measurements) {
  const state = path.join(dir, name, 'state.json');
  const runId = `20261125T100000Z-${name === 'big' ? 'b16b16' : '5a5a5a'}`;
  mkdirSync(path.dirname(state), { recursive: true });
  const log = fileEventLogStore(state).open(
    { type: 'log.opened', time: iso(0), runId, command: 'rollout run', origin: { host: 'bench', user: null, ci: null } },
    (m) => {
      throw new Error(m);
    },
  );
  const names = Array.from({ length: stages }, (_, i) => `stage-${i + 1}`);
  let t = 0;
  const emit = (event) => log.append({ time: iso(t), runId, ...event });
  emit({ type: 'run.started', plan: { name: 'bench', path: '/bench/rollout.config.yml', sha256: '0'.repeat(64), vars: {} }, stages: names });
  const perStage = Math.floor(measurements / stages);
  names.forEach((stage, index) => {
    const ref = { stage, index };
    const last = index === stages - 1;
    emit({ type: 'stage.started', ...ref });
    emit({ type: 'deploy.started', ...ref, command: `./deploy.sh ${stage}` });
    t += 2000;
    emit({ type: 'deploy.finished', ...ref, exitCode: 0, signal: null, timedOut: false, durationMs: 2000 });
    const check = {
      name: 'p95 latency',
      url: 'PromQL: histogram_quantile(0.95, …)',
      kind: 'prometheus',
      intervalMs: 1000,
      failureThreshold: 3,
      pass: 'result < 0.25',
      fail: null,
    };
    emit({ type: 'soak.started', ...ref, soakMs: perStage * 1000, checks: [check] });
    let failures = 0;
    for (let i = 0; i < perStage; i++) {
      t += 1000;
      const value = last && i > perStage - 4 ? 0.4 : 0.1 + 0.05 * Math.sin(i / 9) + ((i * 7919) % 13) / 400;
      const outcome = value < 0.25 ? 'pass' : 'fail';
      failures += outcome === 'fail' ? 1 : 0;
      emit({
        type: 'check.polled',
        ...ref,
        check: check.name,
        ok: outcome === 'pass',
        status: null,
        latencyMs: 8,
        error: null,
        polls: i + 1,
        failures,
        consecutiveFailures: 0,
        kind: 'prometheus',
        outcome,
        value,
        display: value.toFixed(3),
        condition: 'pass: result < 0.25',
        reason: null,
        dryRun: false,
      });
    }
    if (last) emit({ type: 'stage.failed', ...ref, reason: 'p95 latency 0.400 3 times in a row', durationMs: perStage * 1000 });
    else emit({ type: 'stage.passed', ...ref, durationMs: perStage * 1000, inconclusive: [] });
  });
  emit({ type: 'run.finished', status: 'failed', durationMs: t, failure: { stage: names.at(-1), reason: 'p95 latency' }, signal: null });
  log.close();
  return { state, out: path.join(dir, `${name}.html`) };
}

/** Headless Chromium with a fresh profile in `dir`, no network: one browser for every measurement of a figure. */
export function launch(dir) {
  return chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    offline: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Navigation start → every chart drawn, as the page itself measures it, in a fresh tab. */
export async function renderMs(browser, file) {
  const page = await browser.newPage();
  try {
    const url = pathToFileURL(file).href;
    await page.route('**', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url);
    await page.waitForSelector('html[data-charts]');
    return Number(await page.getAttribute('html', 'data-rendered-ms'));
  } finally {
    await page.close();
  }
}

function iso(offsetMs) {
  return new Date(START + offsetMs).toISOString();
}
