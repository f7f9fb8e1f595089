import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/** A service answering JSON like a canary's status endpoint; `answer` decides body and delay per request. */
async function jsonService(answer: () => { status: number; body: unknown; delayMs?: number }) {
  const server = http.createServer((_req, res) => {
    const { status, body, delayMs = 0 } = answer();
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Running (a zombie waiting for a reaper that never comes does not count: it runs nothing). */
async function alive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && !/^\d+ \(.*\) Z/.test(stat);
}

describe('checks through the CLI: kinds, conditions, named checks, outcomes', { timeout: 60_000 }, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });
  const run = () => runCli(['run'], { cwd: dir });

  it('http assertions: body regex, a JSON condition, latency; a failing poll quotes the body', async () => {
    let ready = true;
    const service = await jsonService(() => ({ status: 200, body: { ready, verdict: ready ? 'ok' : 'p95 395ms > 200ms' } }));
    try {
      await writePlan(
        dir,
        `checks:
  status:
    url: ${service.url}
    bodyMatches: '"verdict":"ok"'
    maxLatency: 5s
    pass: result.body.ready == true && result.status == 200
    interval: 50ms
    failureThreshold: 2
stages:
  - name: canary
    deploy: "true"
    soak: 300ms
    checks: [status]
  - name: full
    deploy: "true"
    soak: 5s
    checks: [status]
    health:
      - { name: slow, url: "${service.url}", maxLatency: 1ms, dryRun: true, interval: 50ms }
`,
      );
      const passing = await run();
      expect(passing.exitCode, describeResult(passing)).toBe(0);

      ready = false;
      const failing = await run();
      expect(failing.exitCode, describeResult(failing)).toBe(1);
      expect(failing.stderr).toContain('canary ✗ status: body does not match /"verdict":"ok"/: {"ready":false,"verdict":"p95 395ms > 200ms"}');
      const state = await readState(defaultStatePath(dir));
      expect(state.failure).toMatchObject({ stage: 'canary', check: 'status' });
      expect(state.failure?.reason).toContain('p95 395ms > 200ms');
      expect(failing.all).not.toMatch(STACK_TRACE);
    } finally {
      await service.close();
    }
  });

  it('a dryRun check that fails is shown and recorded, and does not fail the stage', async () => {
    const service = await jsonService(() => ({ status: 200, body: { errors: 0.2 } }));
    try {
      await writePlan(
        dir,
        `stages:
  - name: canary
    deploy: "true"
    soak: 400ms
    health:
      - { name: new-slo, url: "${service.url}", pass: "result.body.errors < 0.01", dryRun: true, interval: 50ms, failureThreshold: 2 }
`,
      );
      const result = await run();
      expect(result.exitCode, describeResult(result)).toBe(0);
      expect(result.stderr).toMatch(/canary new-slo HTTP 200 in \d+ms ✗ \(pass: result\.body\.errors < 0\.01\)/);
      expect(result.stderr).toContain('dryRun check new-slo ended fail (not deciding)');
      const check = (await readState(defaultStatePath(dir))).stages[0]?.checkResults.checks[0];
      expect(check).toMatchObject({ dryRun: true, verdict: 'fail' });
      expect(check?.polls).toBeGreaterThan(1);
      expect(check?.lastBad).toMatchObject({ outcome: 'fail', condition: 'pass: result.body.errors < 0.01' });
    } finally {
      await service.close();
    }
  });

  it.each([
    ['fail', 1],
    ['pass', 0],
  ])('a check with no data all soak is inconclusive; onInconclusive: %s exits %i', async (policy, exitCode) => {
    await writePlan(
      dir,
      `onInconclusive: ${policy}
stages:
  - name: canary
    deploy: "true"
    soak: 300ms
    health:
      - { name: quiet, type: command, run: "true", pass: "result < 0.01", interval: 100ms }
`,
    );
    const result = await run();
    expect(result.exitCode, describeResult(result)).toBe(exitCode);
    const state = await readState(defaultStatePath(dir));
    expect(state.stages[0]?.checkResults.checks[0]).toMatchObject({ verdict: 'inconclusive' });
    if (policy === 'fail') expect(state.failure?.reason).toMatch(/^check quiet was inconclusive: .*no data.*\(onInconclusive: fail\)$/);
    else expect(result.stderr).toContain('inconclusive, let through by onInconclusive: pass: quiet');
  });

  it('command checks: exit 0 passes, exit 1 fails the canary, another exit is "could not measure"', async () => {
    await writePlan(
      dir,
      `checks:
  smoke:
    type: command
    run: 'test "$ROLLOUT_PHASE" = check && echo "noise" >&2 && echo "smoke saw code $ROLLOUT_ARG_CODE" >&2 && exit "$ROLLOUT_ARG_CODE"'
    interval: 50ms
    failureThreshold: 2
    maxConsecutiveErrors: 2
stages:
  - name: ok
    deploy: "true"
    soak: 150ms
    checks: [{use: smoke, with: {code: 0}}]
  - name: broken
    deploy: "true"
    soak: 5s
    checks: [{use: smoke, with: {code: "\${vars.code}"}}]
vars: { code: "1" }
`,
    );
    const failed = await run();
    expect(failed.exitCode, describeResult(failed)).toBe(1);
    // The command's own words (its stderr's last lines) come with the reason.
    expect(failed.stderr).toContain('broken ✗ failed: command check smoke failed 2 times in a row: exit 1 (stderr: noise | smoke saw code 1)');

    const unmeasurable = await runCli(['run', '--var', 'code=3'], { cwd: dir });
    expect(unmeasurable.exitCode, describeResult(unmeasurable)).toBe(1);
    expect(unmeasurable.stderr).toContain(
      'broken ✗ failed: could not measure command check smoke (2 times in a row): exit 3 (stderr: noise | smoke saw code 3)',
    );
  });

  it('command checks: a timeout kills the whole process group', async () => {
    await writePlan(
      dir,
      `stages:
  - name: canary
    deploy: "true"
    soak: 5s
    health:
      - name: hangs
        type: command
        run: 'sleep 60 & echo $! > child.pid; wait'
        timeout: 300ms
        maxConsecutiveErrors: 1
`,
    );
    const result = await run();
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(result.stderr).toContain('could not measure command check hangs: timed out after 300ms (its process group was killed)');
    const pid = Number(await fs.readFile(path.join(dir, 'child.pid'), 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await alive(pid), 'the background child of the timed-out check').toBe(false);
  });

  it('command checks: a number printed on the last line is `result` for conditions', async () => {
    await writePlan(
      dir,
      `checks:
  error-rate:
    type: command
    run: echo measuring; echo 0.034
    pass: result < 0.01
    interval: 50ms
    failureThreshold: 2
stages:
  - name: canary
    deploy: "true"
    soak: 5s
    checks: [error-rate]
`,
    );
    const result = await run();
    expect(result.exitCode, describeResult(result)).toBe(1);
    expect(result.stderr).toContain('canary error-rate 0.034 ✗ (pass: result < 0.01) (1 of 2 in a row)');
    expect(result.stderr).toContain('command check error-rate failed 2 times in a row: 0.034 does not meet pass: result < 0.01');
    const state = await readState(defaultStatePath(dir));
    expect(state.stages[0]?.checkResults.checks[0]).toMatchObject({ counts: { fail: 2 }, last: { display: '0.034', outcome: 'fail' } });
  });

  it('a condition typo is a plan error (exit 2) with its line and column, before anything runs', async () => {
    await writePlan(
      dir,
      'stages:\n  - name: canary\n    deploy: touch deployed\n    health:\n      - url: http://127.0.0.1:9/\n        pass: result.status = 200\n',
    );
    for (const command of ['validate', 'run']) {
      const result = await runCli([command], { cwd: dir });
      expect(result.exitCode, describeResult(result)).toBe(2);
      expect(result.stderr).toMatch(/rollout\.config\.yml:6:\d+ stages\.0\.health\.0\.pass: condition /);
      expect(result.all).not.toMatch(STACK_TRACE);
    }
    await expect(fs.access(path.join(dir, 'deployed'))).rejects.toThrow();
  });
});
