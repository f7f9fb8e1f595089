import { describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

describe('output modes', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  const healthyPlan = () => `defaults: { soak: 300ms, health: { interval: 50ms, timeout: 1s, failureThreshold: 2 } }
stages:
  - name: canary
    deploy: printf 'canary-%s\\n' output
    health: [{ name: hz, url: "${ws.server.url()}" }]
`;

  it('--quiet prints nothing for a healthy run but the final result', async () => {
    await writePlan(ws.dir, healthyPlan());
    const result = await runCli(['run', '--quiet'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/✓ succeeded in /);
  });

  it('--quiet shows a failed deploy with its output, the failure and the result, and nothing of what went well', async () => {
    await writePlan(
      ws.dir,
      `${healthyPlan()}  - name: broken
    deploy: printf 'broken-%s\\n' says-why; exit 7
    rollback: printf 'undo-%s\\n' broken
`,
    );
    const result = await runCli(['run', '--quiet'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(1);
    const err = result.stderr;
    expect(err).toContain('broken | broken-says-why');
    expect(err).toMatch(/broken deploy failed after .* \(exit 7\)/);
    expect(err).toMatch(/broken ✗ failed: deploy exited with code 7/);
    expect(err).toMatch(/failed, rolled back in .*: broken: deploy exited with code 7/);
    expect(err).not.toContain('canary-output');
    expect(err).not.toContain('undo-broken');
    expect(err).not.toContain('deploying');
    expect(err).not.toContain('passed');
  });

  it('--verbose prints every poll, healthy ones too; the default prints none of them', async () => {
    // A soak long enough for several polls even when a loaded machine makes each one slow.
    await writePlan(ws.dir, healthyPlan().replace('soak: 300ms', 'soak: 1s'));
    const verbose = await runCli(['run', '--verbose'], { cwd: ws.dir });
    expect(verbose.exitCode, describeResult(verbose)).toBe(0);
    const polls = verbose.stderr.split('\n').filter((l) => /canary ✓ hz: HTTP 200 in \d+ms/.test(l));
    expect(polls.length, verbose.stderr).toBeGreaterThanOrEqual(2);

    const normal = await runCli(['run'], { cwd: ws.dir });
    expect(normal.exitCode, describeResult(normal)).toBe(0);
    expect(normal.stderr).not.toMatch(/✓ hz: HTTP 200/);
  });

  it('plain mode: a heartbeat during the soak with each check’s pass/fail counts', async () => {
    await writePlan(ws.dir, healthyPlan().replace('soak: 300ms', 'soak: 1s'));
    const result = await runCli(['run'], { cwd: ws.dir, env: { ROLLOUT_HEARTBEAT_MS: '200' } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const beats = result.stderr.split('\n').filter((l) => /canary soaking: .* left · hz ✓ HTTP 200 in \d+ms \(\d+ ok, 0 failed\)/.test(l));
    expect(beats.length, result.stderr).toBeGreaterThanOrEqual(1);
  });

  it('rejects --json with --quiet', async () => {
    await writePlan(ws.dir, healthyPlan());
    const result = await runCli(['run', '--json', '--quiet'], { cwd: ws.dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/cannot be used with/);
  });
});
