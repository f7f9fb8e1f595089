import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutEvent } from '../../src/engine/events.js';
import { fileEventLogStore } from '../../src/report/event-log.js';
import { openInChromium } from '../helpers/chromium.js';
import { describeResult, runCli } from '../helpers/cli.js';
import { fleetRunEvents } from '../helpers/fleet-run.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/** A target name that would be markup if the swimlane forgot to escape it. */
const HOSTILE = 'eu <img src=x onerror=alert(1)>';
const REASON = 'health: body was </td><script>alert(2)</script>';
/** Failing targets (0-based): two fail their checks, one its deploy, one its verify; the hostile one is the first. */
const FAILING = new Map([
  [7, 'check'],
  [120, 'deploy'],
  [260, 'verify'],
  [399, 'check'],
] as const);

/**
 * The report of a 500-target fleet stage (issue 17), recorded through the real event log and
 * written by the built CLI, opened in Debian's headless Chromium with every request refused. The
 * page's structure is asserted here; its size and render time are measured by bench/report.js.
 */
describe('rollout report: a 500-target fleet stage, rendered in Chromium', { timeout: 90_000 }, () => {
  let dir: string;
  let reportFile: string;

  beforeAll(async () => {
    dir = await makeTempDir();
    const statePath = path.join(dir, '.rollout', 'state.json');
    const events = fleetRunEvents({
      failing: new Map(FAILING),
      name: (i) => (i === 7 ? HOSTILE : `host-${String(i + 1).padStart(3, '0')}`),
      reason: (i, how) => (i === 7 ? REASON : `${how} failed on target ${i + 1}`),
    }) as unknown as RolloutEvent[];
    await mkdir(path.dirname(statePath), { recursive: true });
    const log = fileEventLogStore(statePath).open(
      { type: 'log.opened', time: events[0]!.time, runId: events[0]!.runId, command: 'rollout run', origin: { host: 'ci', user: null, ci: null } },
      (message) => {
        throw new Error(message);
      },
    );
    for (const event of events) log.append(event);
    log.close();
    reportFile = path.join(dir, 'fleet.html');
    const result = await runCli(['report', '--state', statePath, '--out', reportFile], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
  });
  afterAll(async () => removeTempDir(dir));

  it('draws a lane per target, grouped in labelled batches with their bakes; failed targets say why', async () => {
    const opened = await openInChromium(reportFile);
    try {
      const { page } = opened;
      await page.waitForSelector('html[data-charts]');
      expect(opened.errors).toEqual([]);
      expect(opened.blocked).toEqual([]);

      const batches = await page.$$eval('.fleet[data-stage="everyone"] .batch', (els) =>
        els.map((el) => ({
          label: el.querySelector('.batch-label')?.textContent,
          lanes: el.querySelectorAll('.tlane[data-target]').length,
          bake: el.querySelectorAll('.bake-lane .bar-bake').length,
        })),
      );
      expect(batches).toEqual([1, 49, 150, 150, 150].map((lanes, i) => ({ label: `batch ${i + 1}/5`, lanes, bake: 1 })));
      // The stage's lane on the run's timeline shows the batches too.
      expect(await page.$$eval('.lane[data-stage="everyone"] .bar-batch', (els) => els.length)).toBe(5);

      const failing = await page.$$eval('.tlane.lane-failing', (els) =>
        els.map((el) => [el.getAttribute('data-target'), el.getAttribute('data-status'), el.querySelector('.lane-status')?.textContent]),
      );
      expect(failing).toEqual([
        [HOSTILE, 'rolled_back', `✕ rolled back: ${REASON}`],
        ['host-121', 'rolled_back', '✕ rolled back: deploy failed on target 121'],
        ['host-261', 'rolled_back', '✕ rolled back: verify failed on target 261'],
        ['host-400', 'rolled_back', '✕ rolled back: check failed on target 400'],
      ]);
      const listed = await page.$$eval('.failed-targets tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)));
      expect(listed[0]).toEqual([HOSTILE, '2/5', 'rolled back', REASON]);
      expect(listed).toHaveLength(4);
      // Each failed step is drawn failed: the hostile target's checks, host-121's deploy, host-261's verify.
      expect(await page.locator('.tlane[data-target="host-121"] .bar-deploy.bar-failed').count()).toBe(1);
      expect(await page.locator('.tlane[data-target="host-261"] .bar-verify.bar-failed').count()).toBe(1);
      expect(await page.locator('.tlane.lane-failing .bar-rollback.bar-ok').count()).toBe(4);
      expect(await page.locator('.tlane[data-target="host-002"] .bar-failed').count()).toBe(0);

      // Charts: the fleet check, and the checks of the two targets that failed theirs; the page says why only those.
      const charts = await page.$$eval('article.check', (els) => els.map((el) => [el.getAttribute('data-target'), el.getAttribute('data-name')]));
      expect(charts).toEqual([
        [null, 'error rate'],
        [HOSTILE, 'health'],
        ['host-400', 'health'],
      ]);
      expect(await page.getAttribute('html', 'data-charts')).toBe('3');
      expect(await page.locator('#checks .fleet-note').textContent()).toContain('only the fleet checks and the checks of failed targets are charted');

      // Hostile text stays text: no element made of it, no script run from it.
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('body script').count()).toBe(3);
      expect(await page.locator('.commands [data-target]').count()).toBe(8);
    } finally {
      await opened.close();
    }
  });

  it('stays under 2 MB with 500 targets', async () => {
    expect((await stat(reportFile)).size).toBeLessThan(2 * 1024 ** 2);
    expect(await readFile(reportFile, 'utf8')).not.toContain('<img src=x');
  });
});
