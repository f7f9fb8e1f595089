import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInChromium } from '../helpers/chromium.js';
import { describeResult, repoRoot, runCli } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { makeTempDir, removeTempDir, writePlan, yamlString } from '../helpers/temp-dir.js';

const ARTIFACTS = path.join(repoRoot, 'test-results');

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What a person reads off each check's card and chart (canvas text is exposed as data attributes). */
async function readChecks(file: string, screenshot: string) {
  const opened = await openInChromium(file);
  try {
    const { page } = opened;
    await page.waitForSelector('html[data-charts]');
    expect(opened.errors).toEqual([]);
    const checks = await page.$$eval('article.check', (els) =>
      els.map((el) => ({
        name: el.getAttribute('data-name'),
        chart: el.querySelector('.chart')?.getAttribute('aria-label') ?? '',
        explain: el.querySelector('.explain')?.textContent ?? '',
        ticks: (el.querySelector('.chart')?.getAttribute('data-x-ticks') ?? '').split(' ').filter(Boolean),
        labels: JSON.parse(el.querySelector('.chart')?.getAttribute('data-labels') ?? '[]'),
      })),
    );
    await mkdir(ARTIFACTS, { recursive: true });
    await page.locator('#checks').screenshot({ path: path.join(ARTIFACTS, screenshot) });
    return checks;
  } finally {
    await opened.close();
  }
}

function overlapping(boxes: Box[]): [Box, Box][] {
  const pairs: [Box, Box][] = [];
  for (const [i, a] of boxes.entries())
    for (const b of boxes.slice(i + 1)) if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) pairs.push([a, b]);
  return pairs;
}

describe('the report reads right', { timeout: 60_000 }, () => {
  let dir: string;
  let server: HealthServer;

  beforeAll(async () => {
    dir = await makeTempDir();
    server = await startHealthServer(200);
  });
  afterAll(async () => {
    await server?.close();
    await removeTempDir(dir);
  });

  it('an HTTP check plots latency in ms against time since the run started', async () => {
    const http = path.join(dir, 'http');
    await writePlan(
      http,
      `defaults: { health: { interval: 100ms, failureThreshold: 3 } }
stages:
  - name: canary
    deploy: "true"
    soak: 1s
    health: [{ name: api, url: ${server.url('/canary')} }]
  - name: half
    deploy: ${yamlString(server.setStatusCommand(503))}
    soak: 10s
    health: [{ name: api, url: ${server.url('/half')} }]
`,
    );
    const run = await runCli(['run', '--report', 'report.html'], { cwd: http });
    expect(run.exitCode, describeResult(run)).toBe(1);
    const checks = await readChecks(path.join(http, 'report.html'), 'report-http-check.png');
    for (const check of checks) {
      expect(check.chart).toMatch(/^latency \(ms\) of api/);
      expect(check.ticks.length).toBeGreaterThan(1);
      // Time since the run started (+1.5s, +00:21), never seconds within the minute (21.000s).
      for (const tick of check.ticks) expect(tick).toMatch(/^\+(\d+\.\ds|(\d+:)?\d\d:\d\d(\.\d)?)$/);
    }
    expect(checks[1]?.explain).toMatch(/^Failing from .*, 3 failed measurements in a row; last value [\d.]+ ms: /);
  });

  it('an inconclusive check is called inconclusive, not failing; its labels do not overlap; FAILED counts no inconclusive poll', async () => {
    const unsure = path.join(dir, 'unsure');
    await writePlan(
      unsure,
      `stages:
  - name: canary
    deploy: "true"
    soak: 1500ms
    health:
      - name: ratio
        type: command
        run: echo 0.019
        interval: 100ms
        pass: result < 0.01
        fail: result >= 0.02
`,
    );
    const summary = path.join(unsure, 'summary.md');
    const run = await runCli(['run', '--report', 'report.html'], { cwd: unsure, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(run.exitCode, describeResult(run)).toBe(1);
    const row = run.stdout.split('\n').find((line) => line.startsWith('canary'));
    expect(row?.split(/\s{2,}/).slice(3, 5), run.stdout).toEqual([expect.stringMatching(/^\d+$/), '0']); // POLLS, FAILED
    const cells = (await readFile(summary, 'utf8')).split('\n').find((line) => line.startsWith('| canary'));
    expect(cells?.split(' | ').at(-1), cells).toBe('0 |'); // Failed polls
    const [check] = await readChecks(path.join(unsure, 'report.html'), 'report-inconclusive-check.png');
    expect(check?.explain).toMatch(/^Inconclusive from .*, \d+ inconclusive measurements in a row; last value 0\.019 against 0\.01 \/ 0\.02/);
    expect(check?.explain).not.toMatch(/Failing|bad measurement/);
    // Two threshold labels and the "stage failed" label, the failure line at the right, 0.02 near the top.
    expect(check?.labels).toHaveLength(3);
    expect(overlapping(check?.labels ?? [])).toEqual([]);
  });
});
