import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandCheckSpec } from '../../src/checks/command/index.js';
import type { HttpSpec } from '../../src/checks/http/schema.js';
import { amountOf } from '../../src/plan/fleet/amount.js';
import { computeBatches } from '../../src/plan/fleet/batches.js';
import { describeBake, describeBudget, fleetBestCaseMs, ordinal, showBatch } from '../../src/plan/fleet/describe.js';
import { loadPlan } from '../../src/plan/load.js';
import { planTimeline } from '../../src/plan/timeline.js';
import type { Amount, Fleet } from '../../src/plan/types.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('rollout-plan-fleet-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

const load = async (text: string) => {
  await writePlan(dir, text);
  return loadPlan({ cwd: dir, env: {} });
};
const names = (n: number) => Array.from({ length: n }, (_, i) => `t${i + 1}`);
/** A plan with `n` targets (t1…tn) and one stage over all of them, with the stage keys given. */
const fleetPlan = (n: number, stageKeys: string, top = '') =>
  `${top}targets:\n${names(n)
    .map((name) => `  ${name}: { host: ${name}.internal }\n`)
    .join('')}stages:\n  - name: all\n    targets: "*"\n    deploy: "true"\n${stageKeys}`;
const fleetOf = async (n: number, stageKeys: string, top = '') => (await load(fleetPlan(n, stageKeys, top))).stages[0]?.fleet as Fleet;
const sizes = (fleet: Fleet) => fleet.batches.map((b) => b.length);

describe('batches (Ansible serial: the last entry repeats, % of the stage rounded up, at least 1)', () => {
  it.each([
    { n: 10, batch: [], expected: [10] },
    { n: 10, batch: [{ count: 1 }, { percent: 25 }], expected: [1, 3, 3, 3] },
    { n: 5, batch: [{ percent: 10 }], expected: [1, 1, 1, 1, 1] },
    // 10% of 30 is 3, not the 3.0000000000000004 of floating point (which would make batches of 4).
    { n: 30, batch: [{ percent: 10 }], expected: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3] },
    { n: 7, batch: [{ count: 3 }], expected: [3, 3, 1] },
    { n: 4, batch: [{ count: 1 }, { count: 10 }], expected: [1, 3] },
    { n: 3, batch: [{ count: 5 }, { count: 1 }], expected: [3] },
    { n: 1, batch: [{ percent: 50 }], expected: [1] },
    { n: 0, batch: [{ count: 2 }], expected: [] },
  ])('$n targets in batches of $batch: $expected', ({ n, batch, expected }) => {
    const batches = computeBatches(names(n), batch);
    expect(batches.map((b) => b.length)).toEqual(expected);
    expect(batches.flat()).toEqual(names(n));
  });

  it('rounds tolerances down and minimums up', () => {
    expect(amountOf({ percent: 10 }, 25, 'down')).toBe(2);
    expect(amountOf({ percent: 10 }, 25, 'up')).toBe(3);
    expect(amountOf({ percent: 10 }, 30, 'up')).toBe(3);
    expect(amountOf({ percent: 90 }, 10, 'up')).toBe(9);
    expect(amountOf({ count: 4 }, 25, 'down')).toBe(4);
  });
});

describe('a fleet stage in words (rollout plan)', () => {
  const fleet = (n: number, batch: Amount[], budget: Partial<Fleet['budget']>, maxParallel?: number): Fleet => {
    const batches = computeBatches(names(n), batch);
    return {
      targets: names(n).map((name) => ({ name, attributes: {} })),
      batches,
      maxParallel: maxParallel ?? Math.max(...batches.map((b) => b.length)),
      bakeMs: 60_000,
      firstBakeMs: 300_000,
      budget: { perBatch: null, total: { count: 0 }, minHealthy: null, ...budget },
      onBudgetExceeded: 'stop',
      onTargetFailure: 'rollback',
      verify: null,
      targetChecks: {},
      fleetChecks: [],
    };
  };

  it('states what is tolerated and which failure exceeds it, both edges', () => {
    expect(describeBudget(fleet(25, [], { total: { percent: 10 } })).total).toBe('tolerates 2 failed of 25 (10%); exceeded on the 3rd');
    expect(describeBudget(fleet(25, [], {})).total).toBe('tolerates 0 failed of 25; exceeded on the 1st');
    expect(describeBudget(fleet(3, [], { total: { count: 3 } })).total).toBe('tolerates 3 failed of 3: never exceeded');
    expect(describeBudget(fleet(25, [], { perBatch: { count: 1 } })).perBatch).toBe('tolerates 1 failed in one batch; exceeded on the 2nd');
    expect(describeBudget(fleet(10, [{ count: 1 }, { count: 4 }], { perBatch: { percent: 50 } })).perBatch).toBe(
      'tolerates 50% of a batch, rounded down (0 of 1, 2 of 4); exceeded on the next',
    );
    expect(describeBudget(fleet(25, [], { minHealthy: { percent: 90 } })).minHealthy).toBe(
      'at least 23 of 25 healthy (90%), checked before each batch starts and after it ends',
    );
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
    ]);
  });

  it('times batches in rounds of maxParallel, each then its bake', () => {
    // Batches of 1, 4, 4, 1 at 2 at once: 1 + 2 + 2 + 1 rounds of a 10m soak, then 5m + 3 × 1m of bake.
    expect(fleetBestCaseMs(fleet(10, [{ count: 1 }, { count: 4 }], {}, 2), 600_000)).toBe(60 * 60_000 + 8 * 60_000);
    expect(fleetBestCaseMs(fleet(0, [], {}), 600_000)).toBe(0);
  });

  it('says when the bakes come', () => {
    const bakes = (bakeMs: number, firstBakeMs: number) => describeBake({ ...fleet(2, [], {}), bakeMs, firstBakeMs });
    expect([bakes(0, 0), bakes(60_000, 60_000), bakes(60_000, 300_000), bakes(0, 300_000)]).toEqual([
      'none',
      '1m after each batch',
      '1m after each batch (5m after the first)',
      '5m after the first batch only',
    ]);
  });

  it('elides a long batch, keeping the last name and the count', () => {
    expect(showBatch(names(8))).toBe('t1, t2, t3, t4, t5, t6, t7, t8');
    expect(showBatch(names(9))).toBe('t1, t2, t3, t4, t5, t6, t7, …, t9 (9)');
  });
});

describe('a stage with targets', () => {
  it('loads targets with attributes as text, selections by list, match and "*" (the rest, whichever stage comes first)', async () => {
    const plan = await load(`
targets:
  eu-1: { host: eu-1.internal, region: eu, weight: 3, canary: true }
  eu-2: { host: eu-2.internal, region: eu }
  us-1: { host: us-1.internal, region: us }
  ap-1: { host: ap-1.internal, region: ap }
  bare:
stages:
  - name: rest
    targets: "*"
    deploy: "true"
  - name: one-box
    targets: [eu-2]
    deploy: "true"
  - name: americas
    targets: { match: { region: [us, sa] } }
    deploy: "true"
  - name: plain
    deploy: "true"
`);
    expect(plan.targets).toEqual([
      { name: 'eu-1', attributes: { host: 'eu-1.internal', region: 'eu', weight: '3', canary: 'true' } },
      { name: 'eu-2', attributes: { host: 'eu-2.internal', region: 'eu' } },
      { name: 'us-1', attributes: { host: 'us-1.internal', region: 'us' } },
      { name: 'ap-1', attributes: { host: 'ap-1.internal', region: 'ap' } },
      { name: 'bare', attributes: {} },
    ]);
    expect(plan.stages.map((s) => s.fleet?.targets.map((t) => t.name) ?? null)).toEqual([['eu-1', 'ap-1', 'bare'], ['eu-2'], ['us-1'], null]);
  });

  it('applies the defaults: one batch, maxParallel = the largest batch, firstBake = bake, total budget 0, rollback-all', async () => {
    const fleet = await fleetOf(4, '    bake: 2m\n');
    expect({ ...fleet, targets: fleet.targets.length, targetChecks: Object.keys(fleet.targetChecks) }).toEqual({
      targets: 4,
      batches: [['t1', 't2', 't3', 't4']],
      maxParallel: 4,
      bakeMs: 120_000,
      firstBakeMs: 120_000,
      budget: { perBatch: null, total: { count: 0 }, minHealthy: null },
      onBudgetExceeded: 'rollback-all',
      onTargetFailure: 'rollback',
      verify: null,
      targetChecks: ['t1', 't2', 't3', 't4'],
      fleetChecks: [],
    });
    expect((await fleetOf(4, '', 'onFailure: stop\n')).onBudgetExceeded).toBe('stop');
  });

  it('reads every key as written', async () => {
    const fleet = await fleetOf(
      10,
      [
        '    timeout: 1m',
        '    batch: [1, "25%"]',
        '    maxParallel: 2',
        '    bake: 2m',
        '    firstBake: 10m',
        '    failureBudget: { perBatch: 0, total: "10%", minHealthy: "50%" }',
        '    onBudgetExceeded: rollback-stage',
        '    onTargetFailure: keep',
        '    verify: ./version-of.sh "$ROLLOUT_TARGET_HOST"',
        '',
      ].join('\n'),
    );
    expect(sizes(fleet)).toEqual([1, 3, 3, 3]);
    expect(fleet).toMatchObject({
      maxParallel: 2,
      bakeMs: 120_000,
      firstBakeMs: 600_000,
      budget: { perBatch: { count: 0 }, total: { percent: 10 }, minHealthy: { percent: 50 } },
      onBudgetExceeded: 'rollback-stage',
      onTargetFailure: 'keep',
      // The stage's command timeout, since verify names none.
      verify: { command: './version-of.sh "$ROLLOUT_TARGET_HOST"', expect: null, timeoutMs: 60_000 },
    });
    const withExpect = await fleetOf(2, '    verify: { run: ./version-of.sh, expect: " ${vars.version} ", timeout: 5s }\n', 'vars: { version: v2.4.0 }\n');
    expect(withExpect.verify).toEqual({ command: './version-of.sh', expect: 'v2.4.0', timeoutMs: 5_000 });
  });

  it("fills each target's checks in; the stage's own list keeps ${target.…} as written; fleet checks are the stage's", async () => {
    const plan = await load(`
vars: { path: /healthz }
targets:
  eu-1: { host: eu-1.internal, port: 8080 }
  us-1: { host: us-1.internal, port: 9090 }
checks:
  error-rate:
    type: command
    run: ./error-rate.sh \${stage.name}
  version:
    type: command
    run: ./version.sh \${target.name} \${args.want}
stages:
  - name: everyone
    targets: [us-1, eu-1]
    deploy: "true"
    checks: [{ use: version, with: { want: "\${target.port}" } }]
    health:
      - url: "http://\${target.host}:\${target.port}\${vars.path}"
    fleetChecks: [error-rate]
`);
    const stage = plan.stages[0];
    const fleet = stage?.fleet as Fleet;
    expect(fleet.targets.map((t) => t.name)).toEqual(['us-1', 'eu-1']);
    expect(stage?.checks.map((c) => c.name)).toEqual(['version', 'http://${target.host}:${target.port}/healthz']);
    const eu = fleet.targetChecks['eu-1'] ?? [];
    expect(eu.map((c) => c.name)).toEqual(['version', 'http://eu-1.internal:8080/healthz']);
    expect((eu[1]?.spec as HttpSpec | undefined)?.url).toBe('http://eu-1.internal:8080/healthz');
    expect((fleet.targetChecks['us-1']?.[1]?.spec as HttpSpec | undefined)?.url).toBe('http://us-1.internal:9090/healthz');
    // A command check gets the target's values as environment variables, never as text.
    const version = eu[0]?.spec as CommandCheckSpec;
    expect(version.run).toBe('./version.sh "$ROLLOUT_TARGET" "$ROLLOUT_ARG_WANT"');
    expect(version.env).toEqual({ ROLLOUT_TARGET: 'eu-1', ROLLOUT_ARG_WANT: '8080' });
    expect(fleet.fleetChecks.map((c) => [c.name, (c.spec as CommandCheckSpec).run])).toEqual([['error-rate', './error-rate.sh "$ROLLOUT_STAGE"']]);
    expect(eu[0]?.source).toEqual(['checks', 'version']);
  });

  it('leaves a stage without targets as it was', async () => {
    const plan = await load('stages:\n  - name: canary\n    deploy: "true"\n    health: [{ url: "http://127.0.0.1:9/${stage.name}" }]\n');
    expect(plan.targets).toEqual([]);
    expect(plan.stages[0]?.fleet).toBeNull();
    expect((plan.stages[0]?.checks[0]?.spec as HttpSpec | undefined)?.url).toBe('http://127.0.0.1:9/canary');
  });

  it("times a fleet stage by its batches, and calls no per-target URL every stage's entry point", async () => {
    const plan = await load(`
targets:
  a: { host: a.internal }
  b: { host: b.internal }
  c: { host: c.internal }
stages:
  - name: first
    targets: [a]
    deploy: "true"
    soak: 1m
    health: [{ url: "http://\${target.host}/healthz" }, { url: "http://lb.internal/" }]
  - name: rest
    targets: "*"
    deploy: "true"
    soak: 1m
    maxParallel: 1
    bake: 30s
    firstBake: 2m
    batch: 1
    health: [{ url: "http://\${target.host}/healthz" }]
`);
    const timeline = planTimeline(plan);
    // first: 1m + no bake; rest: batches of 1 and 1: (1m + 2m) + (1m + 30s).
    expect(timeline.stages.map((t) => [t.shortestMs, t.soakMs, t.sharedEntryPoint])).toEqual([
      [60_000, 60_000, null],
      [270_000, 60_000, null],
    ]);
    expect(timeline.shortestMs).toBe(330_000);
  });

  it("takes checks written in place in a stage's checks: list, in order with the named ones, filled in per target", async () => {
    const plan = await load(`
targets:
  a: { host: a.internal }
checks:
  smoke: { type: command, run: ./smoke.sh }
stages:
  - name: plain
    deploy: "true"
    checks: [smoke, { url: "http://127.0.0.1:9/ok", name: inline, pass: "result.status == 200" }, { use: smoke }]
  - name: fleet
    targets: [a]
    deploy: "true"
    checks: [{ url: "http://\${target.host}/healthz" }]
`);
    expect(plan.stages[0]?.checks.map((c) => [c.name, c.kind, c.pass, c.source.join('.')])).toEqual([
      ['smoke', 'command', null, 'checks.smoke'],
      ['inline', 'http', 'result.status == 200', 'stages.0.checks.1'],
      ['smoke #2', 'command', null, 'checks.smoke'],
    ]);
    expect(plan.stages[1]?.fleet?.targetChecks.a?.map((c) => c.name)).toEqual(['http://a.internal/healthz']);
  });
});
