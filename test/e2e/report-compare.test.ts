import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInChromium } from '../helpers/chromium.js';
import { describeResult, repoRoot, runCli } from '../helpers/cli.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

const ARTIFACTS = path.join(repoRoot, 'test-results');
const around = (centre: number, n: number) => Array.from({ length: n }, (_, i) => Math.round(centre * (0.9 + (0.2 * i) / n) * 1000) / 1000);

interface ChartCheck {
  t: number[];
  v: (number | null)[];
  label: string;
  cmp: { b: (number | null)[]; c: (number | null)[]; lo: (number | null)[]; hi: (number | null)[]; allowed: (number | null)[] } | null;
}

/**
 * A real comparison run (a command check printing both sides: no Prometheus needed), then
 * `rollout report`: the page overlays both sides look by look, the shift's interval and the
 * allowed band, and says the verdict in words (issue 19, item 2).
 */

/** A one-stage plan whose command check prints `json` (a baseline and a canary series) and compares them. */
function comparedPlan(json: string): string {
  return `checks:
  compared:
    type: command
    run: ${JSON.stringify(`echo '${json}'`)}
    interval: 200ms
    compare: { direction: increase, effect: { allowed: 1.2 } }
stages:
  - name: canary
    deploy: "true"
    soak: 1s
    checks: [compared]
`;
}

describe('the report of a comparison check', { timeout: 60_000 }, () => {
  let dir: string;
  let html: string;
  let checks: ChartCheck[];
  beforeAll(async () => {
    dir = await makeTempDir();
    const json = JSON.stringify({ baseline: around(12, 40), canary: around(24, 40) });
    await writePlan(dir, comparedPlan(json));
    const run = await runCli(['run'], { cwd: dir });
    expect(run.exitCode, describeResult(run)).toBe(1);
    const report = await runCli(['report', '--out', 'report.html'], { cwd: dir });
    expect(report.exitCode, describeResult(report)).toBe(0);
    html = await readFile(path.join(dir, 'report.html'), 'utf8');
    if (process.env.DUMP_REPORT) await writeFile(process.env.DUMP_REPORT, html);
    const data = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)?.[1];
    checks = (JSON.parse(data ?? '{}') as { checks: ChartCheck[] }).checks;
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('embeds both series, the interval and the allowed band, look by look, and explains the verdict', () => {
    expect(checks).toHaveLength(1);
    const [check] = checks;
    expect(check?.label).toBe('canary and baseline');
    const cmp = check?.cmp;
    expect(cmp?.b).toHaveLength(1);
    expect(cmp?.b[0]).toBeCloseTo(12, 1);
    // The canary's median is the value the outcome dot sits on.
    expect(cmp?.c[0]).toBeCloseTo(23.9, 1);
    expect(check?.v).toEqual(cmp?.c);
    // The shift's 98 % interval on the canary's scale: baseline median + CI, around the canary's median.
    const [lo, hi] = [cmp?.lo[0] ?? 0, cmp?.hi[0] ?? 0];
    expect(lo).toBeGreaterThan(12);
    expect(lo).toBeLessThan(24);
    expect(hi).toBeGreaterThan(lo);
    // Mean ratio allowed 1.2: the band's top is the baseline's mean × 1.2.
    expect(cmp?.allowed[0]).toBeCloseTo(12 * 1.2, 0);
    expect(html).toMatch(
      /<p class="compare-explain">[\s\S]*canary n=40 median 23\.9 p95 26 vs baseline n=40 median 12 p95 13: shift \+12 \(98 % CI [\d.]+ to [\d.]+\), p &#60; 0\.001 ≤ [\d.]+ \(look 1 of \d+\); mean ratio 2 &#62; 1\.2 allowed/,
    );
    expect(html).toContain('allowed band');
  });

  it('draws the overlay, the interval ribbon and the band across the looks of a passing soak', async () => {
    const json = JSON.stringify({ baseline: around(12, 40), canary: around(12.4, 40) });
    await writePlan(dir, comparedPlan(json));
    const run = await runCli(['run', '--report', 'passed.html'], { cwd: dir });
    expect(run.exitCode, describeResult(run)).toBe(0);
    const opened = await openInChromium(path.join(dir, 'passed.html'));
    try {
      const { page } = opened;
      await page.waitForSelector('html[data-charts]');
      expect(opened.errors).toEqual([]);
      const looks = Number(await page.locator('[data-interval-looks]').getAttribute('data-interval-looks'));
      expect(looks).toBeGreaterThan(2);
      expect(await page.locator('.compare-explain').textContent()).toMatch(
        /n=40 med 12\.4 p95 13\.5 vs n=40 med 12 p95 13; \+[\d.]+ \(CI -?[\d.]+–[\d.]+\); p=[\d.]+>[\d.]+; ratio 1\.03≤1\.2$/,
      );
      await mkdir(ARTIFACTS, { recursive: true });
      await page.locator('article.check').screenshot({ path: path.join(ARTIFACTS, 'report-comparison-passed.png') });
    } finally {
      await opened.close();
    }
  });

  it('draws them in Chromium with no console error', async () => {
    const opened = await openInChromium(path.join(dir, 'report.html'));
    try {
      const { page } = opened;
      await page.waitForSelector('html[data-charts]');
      expect(opened.errors).toEqual([]);
      expect(opened.blocked).toEqual([]);
      expect(await page.locator('[data-interval-looks]').getAttribute('data-interval-looks')).toBe('1');
      await mkdir(ARTIFACTS, { recursive: true });
      await page.locator('article.check').screenshot({ path: path.join(ARTIFACTS, 'report-comparison.png') });
    } finally {
      await opened.close();
    }
  });
});
