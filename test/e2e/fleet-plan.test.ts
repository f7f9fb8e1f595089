import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { exists, makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/** `rollout validate` and `rollout plan` on plans with targets, through the built CLI. */
let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('rollout-fleet-plan-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

/** 25 hosts (eu-01…eu-20, us-01…us-05), a one-box stage and everyone else in batches. */
function fleetPlan(): string {
  const hosts = [...Array.from({ length: 20 }, (_, i) => `eu-${String(i + 1).padStart(2, '0')}`), ...Array.from({ length: 5 }, (_, i) => `us-0${i + 1}`)];
  return `vars: { version: v2.4.0 }
targets:
${hosts.map((h) => `  ${h}: { host: ${h}.internal, region: ${h.slice(0, 2)}, port: 8080 }`).join('\n')}
checks:
  error-rate: { type: command, run: ./error-rate.sh }
stages:
  - name: one-box
    targets: [eu-01]
    deploy: ./deploy.sh "$ROLLOUT_TARGET_HOST" "$ROLLOUT_VAR_VERSION" > deployed
    verify: { run: ./version-of.sh "$ROLLOUT_TARGET_HOST", expect: "\${vars.version}" }
    health: [{ url: "http://\${target.host}:\${target.port}/healthz" }]
    soak: 10m
  - name: everyone
    targets: "*"
    deploy: ./deploy.sh "$ROLLOUT_TARGET_HOST" "$ROLLOUT_VAR_VERSION" > deployed
    soak: 1m
    batch: [1, "25%"]
    maxParallel: 4
    bake: 2m
    firstBake: 5m
    failureBudget: { perBatch: 1, total: "10%", minHealthy: "75%" }
    onBudgetExceeded: rollback-stage
    fleetChecks: [error-rate]
    health: [{ url: "http://\${target.host}:\${target.port}/healthz" }]
`;
}

describe('rollout validate with targets', () => {
  it('accepts a fleet plan: one line naming the targets and batches, nothing run', async () => {
    await writePlan(dir, fleetPlan());
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    // one-box: 1 batch; everyone: 24 targets in [1, 6, 6, 6, 5] (25% of 24 rounded up is 6, the last takes the rest).
    expect(result.stdout).toContain('2 stages (one-box → everyone), 25 targets in 6 batches over 2 stages, 2 health checks, 32m of soak and bake at least');
    expect(await exists(`${dir}/deployed`)).toBe(false);
  });

  it('warns about targets no stage selects: they would never be deployed', async () => {
    await writePlan(dir, 'targets:\n  a: {}\n  b: {}\n  c: {}\nstages:\n  - name: one\n    targets: [a]\n    deploy: "true"\n');
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stderr).toContain('warning: no stage selects targets b, c: they are never deployed (`targets: "*"` on a stage takes the rest)');
  });

  it('reports every fleet problem at once, file:line:col and key, exit 2, no stack trace', async () => {
    await writePlan(
      dir,
      `targets:
  eu-1: { host: eu-1.internal }
  eu-2: { host: eu-2.internal }
stages:
  - name: one-box
    targets: [eu-1, eu-3]
    deploy: "true"
    batch: "0%"
  - name: rest
    targets: [eu-1]
    deploy: "true"
    failureBudget: { minHealthy: 5 }
  - name: plain
    deploy: "true"
    maxParallel: 2
    health: [{ url: "http://\${target.host}/" }]
`,
    );
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('  rollout.config.yml:'));
    expect(lines.map((line) => line.trim())).toEqual([
      'rollout.config.yml:6:21 stages.0.targets.1: no target named "eu-3" (did you mean "eu-1"?)',
      'rollout.config.yml:8:12 stages.0.batch: must be more than 0%: a batch deploys at least one target',
      'rollout.config.yml:10:14 stages.1.targets: target "eu-1" is selected by stage "one-box" and by stage "rest"; a target is deployed by one stage only',
      'rollout.config.yml:12:34 stages.1.failureBudget.minHealthy: minHealthy 5 of 1 target is more than the stage has',
      'rollout.config.yml:15:18 stages.2.maxParallel: only a stage with `targets:` has maxParallel; without targets the stage is one unit',
      'rollout.config.yml:16:21 stages.2.health.0.url: ${target.host}: only the checks of a stage with `targets:` are measured per target (not fleetChecks, notify or a stage without targets)',
    ]);
  });
});

describe('rollout plan with targets', () => {
  it('shows each fleet stage: targets, batches (long ones elided), parallelism, bake, budget in words, least time', async () => {
    await writePlan(dir, fleetPlan());
    const result = await runCli(['plan'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const out = result.stdout;
    expect(out).toContain('   targets:  24 in 5 batches, up to 4 deploying at once (maxParallel)');
    expect(out).toContain('   batch 1:  eu-02\n   batch 2:  eu-03, eu-04, eu-05, eu-06, eu-07, eu-08\n');
    expect(out).toContain('   batch 4:  eu-15, eu-16, eu-17, eu-18, eu-19, eu-20\n   batch 5:  us-01, us-02, us-03, us-04, us-05\n');
    expect(out).toContain('   verify:   ./version-of.sh "$ROLLOUT_TARGET_HOST"  prints "v2.4.0", timeout 10m');
    expect(out).toContain('   check per target GET http://${target.host}:${target.port}/healthz');
    expect(out).toContain('   bake:     2m after each batch (5m after the first)');
    expect(out).toContain('   fleet check during each bake error-rate: run: ./error-rate.sh');
    expect(out).toContain('   budget:   tolerates 2 failed of 24 (10%); exceeded on the 3rd');
    expect(out).toContain('             per batch: tolerates 1 failed in one batch; exceeded on the 2nd');
    expect(out).toContain('             minHealthy: at least 18 of 24 healthy (75%), checked before each batch starts and after it ends');
    expect(out).toContain("             when exceeded: rollback-stage (this stage's changed targets are undone, newest first)");
    // Batches of 1, 6, 6, 6, 5 at 4 at once: 1 + 2 + 2 + 2 + 2 rounds of the 1m soak, then 5m + 4 × 2m of bake.
    expect(out).toContain('   at best:  22m: per batch, ceil(targets / 4) × soak 1m, then the bake; commands taken as instant');
    expect(out).toContain('shortest time to full rollout: 32m of soak and bake');
    expect(out).toMatch(/everyone: a failure on a target is detected within 17s at worst/);
  });

  it('elides batches past 8 names and past 10 batches', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `h${i + 1}`);
    await writePlan(
      dir,
      `targets:\n${names.map((n) => `  ${n}: {}`).join('\n')}\nstages:\n  - name: wide\n    targets: [${names.slice(0, 12).join(', ')}]\n    deploy: "true"\n  - name: many\n    targets: "*"\n    deploy: "true"\n    batch: 2\n`,
    );
    const result = await runCli(['plan'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toContain('   batch 1:  h1, h2, h3, h4, h5, h6, h7, …, h12 (12)\n');
    expect(result.stdout).toContain('   targets:  28 in 14 batches');
    expect(result.stdout).toContain('   batch 8:  h27, h28\n   … 5 more batches …\n   batch 14: h39, h40\n');
    expect(result.stdout).toContain('  many: no health checks; only a failing deploy fails a target');
  });

  it('plan --json gives each fleet stage with every default applied and the budget resolved', async () => {
    await writePlan(dir, fleetPlan());
    const result = await runCli(['plan', '--json'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.targets).toHaveLength(25);
    expect(doc.targets[0]).toEqual({ name: 'eu-01', attributes: { host: 'eu-01.internal', region: 'eu', port: '8080' } });
    const [oneBox, everyone] = doc.stages;
    expect(oneBox.fleet).toMatchObject({
      targets: ['eu-01'],
      batches: [['eu-01']],
      maxParallel: 1,
      bakeMs: 0,
      firstBakeMs: 0,
      budget: { perBatch: null, total: { count: 0 }, minHealthy: null, totalTolerated: 0, minHealthyTargets: null },
      onBudgetExceeded: 'rollback-all',
      onTargetFailure: 'rollback',
      verify: { command: './version-of.sh "$ROLLOUT_TARGET_HOST"', expect: 'v2.4.0', timeoutMs: 600_000 },
      fleetChecks: [],
      bestCaseMs: 600_000,
    });
    expect(oneBox.fleet.targetChecks['eu-01'][0].url).toBe('http://eu-01.internal:8080/healthz');
    expect(everyone.fleet.batches.map((b: string[]) => b.length)).toEqual([1, 6, 6, 6, 5]);
    expect(everyone.fleet).toMatchObject({
      maxParallel: 4,
      budget: { perBatch: { count: 1 }, total: { percent: 10 }, minHealthy: { percent: 75 }, totalTolerated: 2, minHealthyTargets: 18 },
      onBudgetExceeded: 'rollback-stage',
      bestCaseMs: 22 * 60_000,
    });
    expect(Object.keys(everyone.fleet.targetChecks)).toHaveLength(24);
    expect(everyone.fleet.fleetChecks.map((c: { name: string }) => c.name)).toEqual(['error-rate']);
    expect(doc.timeline.shortestMs).toBe(32 * 60_000);
  });

  it('plan --json shows an attribute whose name looks secret as ***, as it does vars', async () => {
    await writePlan(dir, 'targets:\n  a: { host: a.internal, api_token: s3cr3t-value }\nstages:\n  - name: one\n    targets: "*"\n    deploy: "true"\n');
    const result = await runCli(['plan', '--json'], { cwd: dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(JSON.parse(result.stdout).targets).toEqual([{ name: 'a', attributes: { host: 'a.internal', api_token: '***' } }]);
    expect(result.stdout).not.toContain('s3cr3t-value');
  });
});
