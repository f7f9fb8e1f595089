import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInChromium } from '../helpers/chromium.js';
import { describeResult, repoRoot, runCli } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { makeTempDir, removeTempDir, writePlan, yamlString } from '../helpers/temp-dir.js';

const SECRET = 's3cr3t-Deploy-T0ken-9f8e7d';
/** A stage name that would be markup if anything on the page forgot to escape it. */
const HOSTILE_STAGE = 'half <img src=x onerror=alert(1)>';
const ARTIFACTS = path.join(repoRoot, 'test-results');

/**
 * The report of a real failed run, written by the built CLI (`run --report`), opened in Debian's
 * headless Chromium with every network request refused.
 */
describe('rollout report: a failed run, rendered in Chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let server: HealthServer;
  let reportFile: string;
  let html: string;

  beforeAll(async () => {
    dir = await makeTempDir();
    server = await startHealthServer(200);
    await writePlan(
      dir,
      `name: checkout-api
secrets: [DEPLOY_TOKEN]
defaults:
  health:
    interval: 100ms
    timeout: 1s
    failureThreshold: 3
stages:
  - name: canary
    deploy: ${yamlString('echo "deploying with $DEPLOY_TOKEN"; echo "<script>alert(document.cookie)</script>"')}
    rollback: echo undo canary
    soak: 600ms
    health:
      - name: canary health
        url: ${server.url('/canary')}
  - name: ${yamlString(HOSTILE_STAGE)}
    deploy: ${yamlString(`echo half; ${server.setStatusCommand(503)}`)}
    rollback: ${yamlString('echo "undo half with $DEPLOY_TOKEN" >&2')}
    soak: 30s
    health:
      - name: half health
        url: ${server.url('/half')}
  - name: full
    deploy: echo full
`,
    );
    reportFile = path.join(dir, 'out', 'report.html');
    const env = { DEPLOY_TOKEN: SECRET, GITHUB_SERVER_URL: 'https://github.example', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '4242' };
    const result = await runCli(['run', '--report', 'out/report.html'], { cwd: dir, env, timeout: 30_000 });
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(result.stderr).toContain('report written to out/report.html');
    html = await readFile(reportFile, 'utf8');
  });
  afterAll(async () => {
    await server?.close();
    await removeTempDir(dir);
  });

  it('loads with no console error and asks the network for nothing; the timeline, charts and failure are all there', async () => {
    const opened = await openInChromium(reportFile);
    try {
      const { page } = opened;
      await page.waitForSelector('html[data-charts]');
      expect(opened.errors).toEqual([]);
      expect(opened.blocked).toEqual([]);

      const lanes = await page.$$eval('.lane', (els) => els.map((el) => [el.getAttribute('data-stage'), el.getAttribute('data-status')]));
      expect(lanes).toEqual([
        ['canary', 'rolled_back'],
        [HOSTILE_STAGE, 'rolled_back'],
        ['full', 'skipped'],
      ]);
      // The failing stage is marked: its lane, the failing-moment line in it, its soak bar.
      const failing = page.locator('.lane-failing');
      expect(await failing.getAttribute('data-stage')).toBe(HOSTILE_STAGE);
      expect(await failing.locator('.marker-failure').count()).toBe(1);
      expect(await failing.locator('.bar-soak.bar-failed').count()).toBe(1);
      expect(await page.locator('.lane .bar-rollback').count()).toBe(2);

      // Each check has a drawn chart holding every one of its measurements.
      const checks = await page.$$eval('article.check', (els) =>
        els.map((el) => ({
          name: el.getAttribute('data-name'),
          points: Number(el.getAttribute('data-points')),
          drawn: Number(el.querySelector('.chart')?.getAttribute('data-rendered-points')),
          canvas: el.querySelectorAll('.chart canvas').length,
          decisive: el.classList.contains('decisive'),
        })),
      );
      expect(checks.map((c) => [c.name, c.decisive])).toEqual([
        ['canary health', false],
        ['half health', true],
      ]);
      for (const check of checks) {
        expect(check.points).toBeGreaterThan(0);
        expect(check.drawn).toBe(check.points);
        expect(check.canvas).toBe(1);
      }
      expect(await page.locator('article.check.decisive .count-fail').textContent()).toBe('3 fail');
      expect(await page.locator('.verdict-bad').textContent()).toContain('HTTP 503');
      expect(await page.locator('a[href="https://github.example/acme/shop/actions/runs/4242"]').count()).toBe(1);

      // Hostile text shows as text: no element was made of it, no script ran from it.
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.locator('body script').count()).toBe(3);
      expect(await page.locator('.output').first().textContent()).toContain('<script>alert(document.cookie)</script>');

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'report-failed-run.png'), fullPage: true });
    } finally {
      await opened.close();
    }
  });

  it('holds no secret: not in the page, not in the event log', async () => {
    expect(html).not.toContain(SECRET);
    expect(html).toContain('deploying with ***');
    const logs = (await readdir(path.join(dir, '.rollout'))).filter((name) => name.includes('.events-'));
    expect(logs).toHaveLength(1);
    const log = await readFile(path.join(dir, '.rollout', logs[0]!), 'utf8');
    expect(log).not.toContain(SECRET);
    expect(log).toContain('undo half with ***');
  });

  it('forbids every load in its Content-Security-Policy and references nothing outside the page', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replaceAll('&#39;', "'") ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[^']+' 'sha256-[^']+';/);
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
  });

  it('`rollout report` writes the same run again where --out says, and prints the path', async () => {
    const result = await runCli(['report', '--out', 'again.html'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout.trim()).toBe('again.html');
    const again = await readFile(path.join(dir, 'again.html'), 'utf8');
    expect(again).toContain('half health');
    expect(again).not.toContain(SECRET);
  });

  it('names the runs it has when --run is unknown, exit 2, no stack trace', async () => {
    const result = await runCli(['report', '--run', '20990101T000000Z-abcdef'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toMatch(/no event log for run 20990101T000000Z-abcdef .*Runs with a log: \d{8}T/);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
