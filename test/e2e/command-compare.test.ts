import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/** A check command printing `json` (both sides) on its last line, after a line of chatter. */
const printing = (json: unknown) =>
  `echo measuring >&2; echo "look $ROLLOUT_LOOK of $ROLLOUT_LOOKS from $ROLLOUT_WINDOW_START_MS"; echo '${JSON.stringify(json)}'`;
const around = (centre: number, n: number) => Array.from({ length: n }, (_, i) => Math.round(centre * (0.9 + (0.2 * i) / n) * 1000) / 1000);

describe('a command check printing both sides is judged like a metric comparison', { timeout: 60_000 }, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  async function rollout(check: string) {
    await writePlan(
      dir,
      `checks:
  compared:
    type: command
${check}
    interval: 200ms
stages:
  - name: canary
    deploy: "true"
    soak: 1s
    checks: [compared]
`,
    );
    return runCli(['run', '--json'], { cwd: dir });
  }
  const events = (stdout: string) =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown> & { type: string });

  it('a doubled latency fails at its first look (failureThreshold 1), with the explanation in the reason, the state and the event', async () => {
    const result = await rollout(`    run: ${JSON.stringify(printing({ baseline: around(12, 40), canary: around(24, 40) }))}
    compare: { direction: increase, effect: { allowed: 1.2 } }`);
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(result.all).not.toMatch(STACK_TRACE);
    const failed = events(result.stdout).find((e) => e.type === 'stage.failed');
    expect(String(failed?.reason)).toMatch(
      /^command check compared failed once: canary higher: canary n=40 median 23\.9 p95 26 vs baseline n=40 median 12 p95 13: shift \+12 \(98 % CI [\d.]+ to [\d.]+\), p < 0\.001 ≤ [\d.]+ \(look 1 of \d+\); mean ratio 2 > 1\.2 allowed$/,
    );
    const polled = events(result.stdout).filter((e) => e.type === 'check.polled');
    expect(polled).toHaveLength(1);
    expect(polled[0]).toMatchObject({ outcome: 'fail', value: { method: 'mannWhitney', look: { index: 1 } } });
    const state = await readState(defaultStatePath(dir));
    expect(state.stages[0]?.checkResults.checks[0]?.lastBad?.display).toMatch(
      /^n=40 med 23\.9 p95 26 vs n=40 med 12 p95 13; \+12 \(CI .*\); p<0\.001≤[\d.]+; ratio 2>1\.2$/,
    );
  });

  it('identical sides pass at every look; counts are judged on the counts', async () => {
    const same = await rollout(`    run: ${JSON.stringify(printing({ baseline: around(12, 40), canary: around(12, 40) }))}
    compare: {}`);
    expect(same.exitCode, describeResult(same)).toBe(0);
    const looks = events(same.stdout).filter((e) => e.type === 'check.polled');
    expect(looks.length).toBeGreaterThan(2);
    expect(looks.every((e) => e.outcome === 'pass')).toBe(true);

    const errors = await rollout(`    run: ${JSON.stringify(printing({ baseline: { errors: 0, total: 950 }, canary: { errors: 3, total: 50 } }))}
    compare: { method: fisher, minRequests: 20 }`);
    expect(errors.exitCode, describeResult(errors)).toBe(1);
    expect(String(events(errors.stdout).find((e) => e.type === 'stage.failed')?.reason)).toMatch(
      /^command check compared failed once: canary errors 3\/50 vs baseline 0\/950: 6\.0 % vs 0 %, p (<|=) [\d.]+ ≤ 0\.02 \(look 1\) \(mixture SPRT, valid at every look\); difference 6\.0 % > 0 % allowed$/,
    );
  });

  it('output of another shape, or a non-zero exit, could not be measured (never a verdict); pass: next to compare: is refused', async () => {
    const wrong = await rollout(`    run: ${JSON.stringify(printing({ baseline: [1, 2], canary: 'fast' }))}
    compare: {}`);
    expect(wrong.exitCode, describeResult(wrong)).toBe(1);
    const polled = events(wrong.stdout).find((e) => e.type === 'check.polled');
    expect(polled).toMatchObject({
      outcome: 'error',
      error: {
        message: 'printed no comparison: expected {"baseline": [numbers…], "canary": [numbers…]} on the last line (finite numbers or null) (stderr: measuring)',
      },
    });
    const exit = await rollout(`    run: ${JSON.stringify(`${printing({ baseline: [1], canary: [1] })}; exit 1`)}
    compare: {}`);
    expect(events(exit.stdout).find((e) => e.type === 'check.polled')).toMatchObject({
      outcome: 'error',
      error: { message: expect.stringMatching(/^exit 1 \(a compare: command reports both sides and exits 0\)/) },
    });

    const both = await rollout(`    run: "true"
    pass: result == 1
    compare: {}`);
    expect(both.exitCode, describeResult(both)).toBe(2);
    expect(both.stderr).toContain('a comparison decides by itself: give either pass:/fail: or compare:, not both');
  });
});
