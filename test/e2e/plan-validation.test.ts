import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { exists, makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

interface InvalidPlan {
  title: string;
  text: string;
  /** Each must match stderr (the `file:line:col key.path: message` line for the problem). */
  expected: RegExp[];
}

const FILE = String.raw`rollout\.config\.yml`;

const invalidPlans: InvalidPlan[] = [
  {
    title: 'an unknown stage key, with a did-you-mean hint',
    text: `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollbak: echo undo >> deploy.log
`,
    expected: [new RegExp(`${FILE}:4:5\\b.*rollbak`), /did you mean.*rollback/i],
  },
  {
    title: 'an unknown top-level key, with a did-you-mean hint',
    text: `onFaliure: stop
stages:
  - name: canary
    deploy: echo canary >> deploy.log
`,
    expected: [new RegExp(`${FILE}:1:1\\b.*onFaliure`), /did you mean.*onFailure/i],
  },
  {
    title: 'a bad duration',
    text: `stages:
  - name: canary
    deploy: echo canary >> deploy.log
    soak: 5 minutes
`,
    expected: [new RegExp(`${FILE}:4:\\d+\\b.*soak`)],
  },
  {
    title: 'a bad duration in the defaults',
    text: `defaults:
  health:
    interval: 5x
stages:
  - name: canary
    deploy: echo canary >> deploy.log
`,
    expected: [new RegExp(`${FILE}:3:\\d+\\b.*interval`)],
  },
  {
    title: 'a stage without deploy',
    text: `stages:
  - name: canary
    deploy: echo canary >> deploy.log
  - name: broken
    soak: 1s
`,
    expected: [new RegExp(`${FILE}:4:\\d+\\b.*deploy`)],
  },
  {
    title: 'duplicate stage names',
    text: `stages:
  - name: canary
    deploy: echo a >> deploy.log
  - name: canary
    deploy: echo b >> deploy.log
`,
    expected: [new RegExp(`${FILE}:4:\\d+\\b.*(duplicate|unique|already)`, 'i')],
  },
  {
    title: 'an unknown onFailure value',
    text: `onFailure: explode
stages:
  - name: canary
    deploy: echo canary >> deploy.log
`,
    expected: [new RegExp(`${FILE}:1:\\d+\\b.*onFailure`)],
  },
  {
    title: 'a YAML syntax error',
    text: `stages:
  - name: canary
    deploy: echo canary >> deploy.log
  - name: broken
    deploy: echo a: b
`,
    expected: [new RegExp(`${FILE}:5:\\d+`)],
  },
  {
    title: 'several problems at once, every one listed',
    text: `name: multi
stages:
  - name: canary
    deploy: echo canary >> deploy.log
    soak: forever
  - name: later
    deploy: echo later >> deploy.log
    helth:
      - url: http://127.0.0.1:1/healthz
`,
    expected: [new RegExp(`${FILE}:5:\\d+\\b.*soak`), new RegExp(`${FILE}:8:5\\b.*helth`), /did you mean.*health/i],
  },
];

describe('invalid plans are rejected before anything runs', { timeout: 30_000 }, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  describe.each(['run', 'validate'])('rollout %s', (command) => {
    it.each(invalidPlans)('exits 2 on $title', async ({ text, expected }) => {
      await writePlan(dir, text);

      const result = await runCli([command], { cwd: dir });

      expect(result.exitCode, describeResult(result)).toBe(2);
      for (const pattern of expected) expect(result.stderr, describeResult(result)).toMatch(pattern);
      expect(result.all).not.toMatch(STACK_TRACE);
      expect(await exists(path.join(dir, 'deploy.log')), 'a command ran').toBe(false);
      expect(await exists(path.join(dir, '.rollout')), 'state was written').toBe(false);
    });
  });

  it('validate exits 0 with a one-line summary for a valid plan, running nothing', async () => {
    await writePlan(
      dir,
      `version: 1
name: checkout-api
vars:
  image_tag: v2.4.0
defaults:
  soak: 1m30s
  timeout: 5m
  health:
    interval: 250ms
    timeout: 2
    failureThreshold: 3
onFailure: rollback
state: custom/state.json
stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo undo >> deploy.log
    soak: 30s
    timeout: 1h
    health:
      - url: http://127.0.0.1:1/healthz
        expectStatus: [200, 204]
        interval: 2s
        timeout: 1s
        failureThreshold: 2
  - name: full
    deploy: echo full >> deploy.log
`,
    );

    const result = await runCli(['validate'], { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stdout.trim()).not.toBe('');
    expect(await exists(path.join(dir, 'deploy.log'))).toBe(false);
    expect(await exists(path.join(dir, 'custom'))).toBe(false);
    expect(await exists(path.join(dir, '.rollout'))).toBe(false);
  });

  it('validate --config checks the given file', async () => {
    const other = await makeTempDir();
    try {
      await writePlan(other, `stages:\n  - name: a\n    deploy: "true"\n`, 'my-plan.yml');
      const ok = await runCli(['validate', '--config', path.join(other, 'my-plan.yml')], { cwd: dir });
      expect(ok.exitCode, describeResult(ok)).toBe(0);

      await writePlan(other, `stages:\n  - name: a\n    deploi: "true"\n`, 'bad-plan.yml');
      const bad = await runCli(['validate', '--config', path.join(other, 'bad-plan.yml')], { cwd: dir });
      expect(bad.exitCode, describeResult(bad)).toBe(2);
      expect(bad.stderr).toMatch(/bad-plan\.yml:3:5\b/);
      expect(bad.stderr).toMatch(/did you mean.*deploy/i);
    } finally {
      await removeTempDir(other);
    }
  });
});

describe('usage errors exit 2 and run nothing', { timeout: 30_000 }, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
    await writePlan(
      dir,
      `vars:
  image_tag: v1
stages:
  - name: canary
    deploy: echo canary >> deploy.log
`,
    );
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it.each([
    ['a --var the plan does not declare', ['run', '--var', 'undeclared=1'], /undeclared/],
    ['a --var without "="', ['run', '--var', 'image_tag'], /image_tag/],
    ['an unknown option', ['run', '--no-such-option'], /no-such-option/],
    ['--config naming a missing file', ['run', '--config', 'missing.yml'], /missing\.yml/],
  ])('%s', async (_title, args, mentions) => {
    const result = await runCli(args, { cwd: dir });

    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toMatch(mentions);
    expect(result.all).not.toMatch(STACK_TRACE);
    expect(await exists(path.join(dir, 'deploy.log')), 'a command ran').toBe(false);
    expect(await exists(path.join(dir, '.rollout')), 'state was written').toBe(false);
  });

  it('exits 2 when no plan can be found from the working directory', async () => {
    const empty = await makeTempDir();
    try {
      const result = await runCli(['run'], { cwd: empty });
      expect(result.exitCode, describeResult(result)).toBe(2);
      expect(result.stderr).toMatch(/plan|config/i);
      expect(result.all).not.toMatch(STACK_TRACE);
      expect(await exists(path.join(empty, '.rollout'))).toBe(false);
    } finally {
      await removeTempDir(empty);
    }
  });
});
