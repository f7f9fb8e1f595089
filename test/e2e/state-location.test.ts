import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, STACK_TRACE } from '../helpers/cli.js';
import { writePlan } from '../helpers/temp-dir.js';
import { startUnprivileged } from '../helpers/unprivileged.js';
import { useWorkspace } from '../helpers/workspace.js';

const WHAT_TO_DO = /choose a path on a writable disk with --state, ROLLOUT_STATE or the plan's `state:`.*Nothing was run\./;

/**
 * Issue 18 item 3: a state location that cannot be used is found before anything runs: exit 2 with
 * what to do, never exit 70, never a hang. Node's recursive mkdir on /proc spins forever, deaf to
 * SIGTERM: the CLI must not call it (the timeout turns a hang into a failure here).
 */
describe('an unusable state location, before the run', { timeout: 60_000 }, () => {
  const ws = useWorkspace();
  const plan = 'stages:\n  - name: one\n    deploy: echo one >> deploy.log\n    soak: 0\n';

  it.each(['/proc/rollout-x/state.json', '/proc/self/rollout/state.json', '/sys/rollout-x/state.json', '/sys/kernel/state.json'])(
    '--state %s (a kernel filesystem): exit 2 at once, nothing deployed',
    async (state) => {
      await writePlan(ws.dir, plan);
      const result = await runCli(['run', '--state', state], { cwd: ws.dir, timeout: 20_000 });
      expect(result.timedOut, 'rollout hung').toBe(false);
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toMatch(/is on \/(proc|sys) \((procfs|sysfs)\), a kernel filesystem that cannot hold files/);
      expect(result.stderr).toMatch(WHAT_TO_DO);
      expect(existsSync(path.join(ws.dir, 'deploy.log'))).toBe(false);
    },
  );

  it('a directory this user may not create: exit 2, what to do', async () => {
    await writePlan(ws.dir, plan);
    mkdirSync(path.join(ws.dir, 'locked'));
    chmodSync(path.join(ws.dir, 'locked'), 0o500);
    const result = await startUnprivileged(['run', '--state', 'locked/sub/state.json'], ws.dir, 20_000);
    expect(result.exitCode, String(result.all)).toBe(2);
    expect(String(result.stderr)).toMatch(/cannot use \S+locked\/sub\/state\.json for the state \(EACCES[^)]*mkdir[^)]*\); this user may not write there/);
    expect(String(result.stderr)).toMatch(WHAT_TO_DO);
    expect(String(result.stderr)).not.toMatch(STACK_TRACE);
    expect(existsSync(path.join(ws.dir, 'deploy.log'))).toBe(false);
  });

  it('a read-only state directory: exit 2, what to do, nothing left in it', async () => {
    await writePlan(ws.dir, plan);
    mkdirSync(path.join(ws.dir, '.rollout'));
    chmodSync(path.join(ws.dir, '.rollout'), 0o500);
    const result = await startUnprivileged(['run'], ws.dir, 20_000);
    expect(result.exitCode, String(result.all)).toBe(2);
    expect(String(result.stderr)).toMatch(/cannot use \S+\/\.rollout\/state\.json for the state \(EACCES.*this user may not write there/);
    expect(String(result.stderr)).toMatch(WHAT_TO_DO);
    expect(readdirSync(path.join(ws.dir, '.rollout'))).toEqual([]);
    expect(existsSync(path.join(ws.dir, 'deploy.log'))).toBe(false);
  });

  it('`state pull --out` somewhere it cannot write: exit 2, what to do', async () => {
    await writePlan(ws.dir, plan);
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    for (const out of ['/proc/rollout-x/state.json', 'rollout.config.yml/saved.json']) {
      const result = await runCli(['state', 'pull', '--out', out], { cwd: ws.dir, timeout: 20_000 });
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toMatch(/cannot write \S+ \(.*\): choose another --out, or print the document without it\./);
    }
  });

  it('a path through a file: exit 2, what to do', async () => {
    await writePlan(ws.dir, plan);
    const result = await runCli(['run', '--state', 'rollout.config.yml/x/state.json'], { cwd: ws.dir });
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toMatch(/ENOTDIR.*Check the path, and that this user may read it; or choose a path on a writable disk/);
  });
});
