import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { validateInProcess } from '../helpers/validate-in-process.js';

/**
 * `rollout validate` lists every problem in one pass: the checks that need a valid shape (a URL
 * after substitution, a regex, windows, the state location) also run on every part the schema let
 * through, so fixing the first batch never reveals a second one.
 */
describe('validate: every problem in one pass', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  async function problems(plan: string): Promise<string[]> {
    await fs.writeFile(path.join(dir, 'rollout.config.yml'), plan);
    const result = await validateInProcess(dir, 'rollout.config.yml');
    expect(result.exitCode, result.stderr).toBe(2);
    return result.stderr
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) => line.trim());
  }

  it('schema problems and the problems found after them, together, in file order', async () => {
    const found = await problems(`stages:
  - name: canary
    deploy: "true"
    timout: 5s
    health:
      - url: ftp://example.com/x
        bodyMatches: "("
  - name: broken
    soak: forever
  - name: full
    deploy: "true"
    health:
      - url: gopher://x
        intervl: 1s
windows:
  timezone: Mars/Olympus
  allow:
    - {from: "25:00", to: "10:00"}
state: s3://bucket/key
`);
    expect(found).toEqual([
      'rollout.config.yml:4:5 stages.0.timout: unknown key (did you mean "timeout"?)',
      'rollout.config.yml:6:14 stages.0.health.0.url: must be an http:// or https:// URL; after substitution it is "ftp://example.com/x"',
      expect.stringMatching(/^rollout\.config\.yml:7:22 stages\.0\.health\.0\.bodyMatches: is not a valid regular expression: .*Unterminated group/),
      'rollout.config.yml:8:5 stages.1.deploy: is required',
      'rollout.config.yml:9:11 stages.1.soak: expected a duration like 250ms, 30s, 5m, 1h or 1m30s',
      // The stage cut away before it does not shift this one's position.
      'rollout.config.yml:13:14 stages.2.health.0.url: must be an http:// or https:// URL; after substitution it is "gopher://x"',
      'rollout.config.yml:14:9 stages.2.health.0.intervl: unknown key (did you mean "interval"?)',
      'rollout.config.yml:16:13 windows.timezone: unknown time zone Mars/Olympus (expected an IANA name such as Europe/Berlin)',
      'rollout.config.yml:18:14 windows.allow.0.from: from and to must both be times ("09:00") or both dates (2026-12-19)',
      'rollout.config.yml:19:8 state: no state store takes s3:// locations; use a file path or postgres://… or postgresql://…',
    ]);
  });

  it('items cut from several lists keep every later position right', async () => {
    const found = await problems(`stages:
  - name: a
  - name: b
    deploy: "true"
    health:
      - {url: "http://127.0.0.1/", type: nope}
      - {url: "http://127.0.0.1/", intervl: 1s}
      - {url: "ftp://x/"}
  - name: c
  - name: d
    deploy: "true"
    health: [{url: "gopher://y/"}]
`);
    expect(found).toEqual([
      'rollout.config.yml:2:5 stages.0.deploy: is required',
      'rollout.config.yml:6:42 stages.1.health.0.type: unknown check type; the types are http, command, prometheus, graphite, influxdb, datadog, cloudwatch',
      'rollout.config.yml:7:36 stages.1.health.1.intervl: unknown key (did you mean "interval"?)',
      'rollout.config.yml:8:15 stages.1.health.2.url: must be an http:// or https:// URL; after substitution it is "ftp://x/"',
      'rollout.config.yml:9:5 stages.2.deploy: is required',
      'rollout.config.yml:12:20 stages.3.health.0.url: must be an http:// or https:// URL; after substitution it is "gopher://y/"',
    ]);
  });

  it('a broken named check or var is reported once, not again where it is used', async () => {
    const found = await problems(`vars:
  tag: [1]
checks:
  smoke:
    url: http://127.0.0.1/\${vars.tag}
    bogus: 1
  other:
    type: nope
stages:
  - name: canary
    deploy: "true"
    checks: [smoke, other, {use: smoke, with: {x: [1]}}]
`);
    expect(found).toEqual([
      'rollout.config.yml:2:8 vars.tag: must be text, not a list',
      'rollout.config.yml:6:5 checks.smoke.bogus: unknown key',
      'rollout.config.yml:8:11 checks.other.type: unknown check type; the types are http, command, prometheus, graphite, influxdb, datadog, cloudwatch',
      expect.stringMatching(/^rollout\.config\.yml:12:\d+ stages\.0\.checks\.2\.with\.x: /),
    ]);
  });

  it.each([
    ['a stage timeout', 'timeout: 0', 'stages.0.timeout: must be longer than 0: it limits each deploy and rollback command'],
    ['an approval timeout', 'approval: {timeout: 0s}', 'stages.0.approval.timeout: must be longer than 0: a gate that expires at once could never be decided'],
    ['a check timeout', 'health: [{url: "http://127.0.0.1/", timeout: 0}]', 'stages.0.health.0.timeout: must be longer than 0'],
    ['a maxLatency', 'health: [{url: "http://127.0.0.1/", maxLatency: 0ms}]', 'stages.0.health.0.maxLatency: must be longer than 0'],
  ])('refuses %s of 0', async (_what, line, message) => {
    const found = await problems(`stages:\n  - name: canary\n    deploy: "true"\n    ${line}\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it('refuses a default command timeout and a webhook timeout of 0, each at its key', async () => {
    const found = await problems(`defaults:
  timeout: 0
notify:
  - url: https://hooks.example/x
    timeout: 0
stages:
  - name: canary
    deploy: "true"
`);
    expect(found).toEqual([
      'rollout.config.yml:2:12 defaults.timeout: must be longer than 0: it limits each deploy and rollback command (leave it out for the 10m default)',
      'rollout.config.yml:5:14 notify.0.timeout: must be longer than 0: it is the deadline of each delivery (leave it out for the 5s default)',
    ]);
  });

  it('refuses maxWait: 0 with onBlocked: wait', async () => {
    const found = await problems('windows:\n  onBlocked: wait\n  maxWait: 0\nstages:\n  - name: a\n    deploy: "true"\n');
    expect(found).toEqual(['rollout.config.yml:3:12 windows.maxWait: must be longer than 0 with onBlocked: wait (waiting 0 is onBlocked: fail)']);
  });

  it('accepts a state location a backend owns, in any case, without connecting', async () => {
    await fs.writeFile(path.join(dir, 'rollout.config.yml'), 'state: PostgreSQL://ci@127.0.0.1:1/x\nstages:\n  - name: a\n    deploy: "true"\n');
    const result = await validateInProcess(dir, 'rollout.config.yml');
    expect(result.exitCode, result.stderr).toBe(0);
  });
});
