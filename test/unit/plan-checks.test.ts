import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandCheckSpec } from '../../src/checks/command/index.js';
import type { HttpSpec } from '../../src/checks/http/schema.js';
import { PlanError } from '../../src/errors.js';
import { loadPlan } from '../../src/plan/load.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';
import { validateInProcess } from '../helpers/validate-in-process.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('rollout-plan-checks-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

const load = async (text: string, env: Record<string, string> = {}) => {
  await writePlan(dir, text);
  return loadPlan({ cwd: dir, env });
};
const problems = async (text: string) => {
  await writePlan(dir, text);
  const result = await validateInProcess(dir, 'rollout.config.yml');
  expect(result.exitCode, result.stderr).toBe(2);
  return result.stderr;
};

describe('named checks and plan-level check settings', () => {
  it('runs defaults.checks, then the stage’s checks, then inline health, with per-stage args', async () => {
    const plan = await load(`
vars: { base: "http://127.0.0.1:9", version: v2 }
defaults:
  health: { interval: 2s, failureThreshold: 4 }
  checks: [ping]
checks:
  ping:
    url: \${vars.base}/healthz?stage=\${stage.name}
  smoke:
    type: command
    run: ./smoke.sh \${args.weight} \${vars.version}
    timeout: 30s
    pass: result < 0.01
stages:
  - name: canary
    deploy: "true"
    checks: [{use: smoke, with: {weight: 1}}, {use: smoke, with: {weight: 5}}]
    health:
      - url: \${vars.base}/inline
        dryRun: true
`);
    const checks = plan.stages[0]?.checks ?? [];
    expect(checks.map((c) => [c.name, c.kind, c.intervalMs, c.failureThreshold, c.dryRun])).toEqual([
      ['ping', 'http', 2000, 4, false],
      ['smoke', 'command', 2000, 4, false],
      ['smoke #2', 'command', 2000, 4, false],
      ['http://127.0.0.1:9/inline', 'http', 2000, 4, true],
    ]);
    expect((checks[0]?.spec as HttpSpec | undefined)?.url).toBe('http://127.0.0.1:9/healthz?stage=canary');
    // Values reach the shell as quoted environment variables, never as text.
    expect((checks[2]?.spec as CommandCheckSpec | undefined)?.run).toBe('./smoke.sh "$ROLLOUT_ARG_WEIGHT" "$ROLLOUT_VAR_VERSION"');
    expect((checks[2]?.spec as CommandCheckSpec | undefined)?.env).toEqual({ ROLLOUT_ARG_WEIGHT: '5' });
    expect(checks[1]?.timeoutMs).toBe(30_000);
    expect(plan.onInconclusive).toBe('fail');
  });

  it('keeps every existing inline plan shape: a url alone is an http check', async () => {
    const plan = await load('stages:\n  - name: a\n    deploy: "true"\n    health: [{ url: "http://127.0.0.1:9/hz", expectStatus: 204 }]\n');
    expect(plan.stages[0]?.checks[0]).toMatchObject({ kind: 'http', name: 'http://127.0.0.1:9/hz', failureThreshold: 3, intervalMs: 5000 });
  });

  it('names an unknown named check, with a suggestion, at its line', async () => {
    const err = await problems('checks:\n  smoke: { type: command, run: ./s.sh }\nstages:\n  - name: a\n    deploy: "true"\n    checks: [smok]\n');
    expect(err).toContain('rollout.config.yml:6:14 stages.0.checks.0: no check named "smok" (did you mean "smoke"?)');
  });

  it('reports a missing ${args.X} where the stage lists the check', async () => {
    const err = await problems(
      'checks:\n  smoke: { type: command, run: "./s.sh ${args.weight}" }\nstages:\n  - name: a\n    deploy: "true"\n    checks: [smoke]\n',
    );
    expect(err).toMatch(/rollout\.config\.yml:6:\d+ stages\.0\.checks\.0: \$\{args\.weight\}: no argument "weight" is given/);
  });

  it('a condition typo is a plan error naming file, line, column and key', async () => {
    const err = await problems('stages:\n  - name: a\n    deploy: "true"\n    health:\n      - url: http://x/\n        pass: result.latencyMs <\n');
    expect(err).toContain('rollout.config.yml:6:33 stages.0.health.0.pass: condition Unexpected token: EOF (at character 19)');
    const unknown = await problems('checks:\n  e:\n    type: command\n    run: ./e.sh\n    fail: reslt > 1\nstages:\n  - name: a\n    deploy: "true"\n');
    expect(unknown).toContain('rollout.config.yml:5:11 checks.e.fail: condition Unknown variable: reslt (at character 1)');
  });

  it('accepts url: ${vars.base}/healthz, checking the URL after substitution', async () => {
    const plan = await load(
      'vars: { base: "https://canary.example" }\nstages:\n  - name: a\n    deploy: "true"\n    health: [{ url: "${vars.base}/healthz" }]\n',
    );
    expect((plan.stages[0]?.checks[0]?.spec as HttpSpec | undefined)?.url).toBe('https://canary.example/healthz');
    const err = await problems('vars: { base: "ftp://x" }\nstages:\n  - name: a\n    deploy: "true"\n    health: [{ url: "${vars.base}/healthz" }]\n');
    expect(err).toContain('must be an http:// or https:// URL; after substitution it is "ftp://x/healthz"');
  });

  it.each([
    ['interval: 0', 'interval: must be longer than 0'],
    ['failureThreshold: 0', 'failureThreshold: must be at least 1'],
    ['failureThreshold: 1.5', 'failureThreshold: must be a whole number'],
    ['maxFailures: -1', 'maxFailures: must be at least 0'],
    ['onNoData: maybe', 'onNoData: must be one of "inconclusive", "fail", "pass"'],
    ['type: promql', 'type: unknown check type; the types are http, command'],
    ['dryRun: "yes"', 'dryRun: must be true or false, not text'],
    ['expectStatus: 42', 'expectStatus: must be an HTTP status (100–599)'],
    ['bodyMatches: "("', 'bodyMatches: is not a valid regular expression'],
  ])('speaks the plan’s language, never zod’s: %s', async (line, message) => {
    const err = await problems(`stages:\n  - name: a\n    deploy: "true"\n    health:\n      - url: http://x/\n        ${line}\n`);
    expect(err).toContain(message);
    expect(err).not.toMatch(/Invalid input|Too small|expected int|received number/);
  });

  it('a command check without run: says so, not that url is missing', async () => {
    const err = await problems('stages:\n  - name: a\n    deploy: "true"\n    health:\n      - type: command\n        timeout: 5s\n');
    expect(err).toContain('stages.0.health.0.run: is required');
    expect(err).not.toContain('url');
  });

  it('loadPlan throws a PlanError (exit 2), never a stack trace, for a bad ca: file', async () => {
    await expect(load('stages:\n  - name: a\n    deploy: "true"\n    health: [{ url: "https://x/", ca: nope.pem }]\n')).rejects.toBeInstanceOf(PlanError);
  });
});
