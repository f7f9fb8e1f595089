import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, STACK_TRACE, startCli } from '../helpers/cli.js';
import { defaultStatePath, waitForState } from '../helpers/state.js';
import { exists, readLines, writePlan } from '../helpers/temp-dir.js';
import { startUnprivileged } from '../helpers/unprivileged.js';
import { useWorkspace } from '../helpers/workspace.js';

/**
 * Issue 10 item 10: a state write that fails (here `.rollout/` is replaced by a file mid-soak)
 * stops the run — no command starts after it — with one paragraph naming the state file and where
 * the last good record is, exit 3, never a stack trace; and the saved record can be pushed back.
 */
describe('a failed state write', { timeout: 120_000 }, () => {
  const ws = useWorkspace();

  it('stops the run, says where the record is, exits 3; `state push` puts it back and resume finishes', async () => {
    await writePlan(
      ws.dir,
      [
        'stages:',
        '  - name: one',
        '    deploy: echo one >> deploy.log',
        '    soak: 2s',
        '  - name: two',
        '    deploy: echo two >> deploy.log',
        '    soak: 0',
      ].join('\n'),
    );
    const statePath = defaultStatePath(ws.dir);
    const run = startCli(['run'], { cwd: ws.dir, timeout: 90_000 });
    await waitForState(statePath, (s) => s.stages[0]?.status === 'soaking', 60_000);
    rmSync(path.dirname(statePath), { recursive: true, force: true });
    writeFileSync(path.dirname(statePath), 'not a directory');
    const result = await run;

    expect(result.exitCode, String(result.all)).toBe(3);
    expect(String(result.stderr)).not.toMatch(STACK_TRACE);
    expect(String(result.stderr)).toMatch(
      new RegExp(`could not record the state of run \\S+ in ${statePath}: .*The run stopped: no deploy or rollback command started after the failure`),
    );
    const saved = readdirSync(ws.dir).find((name) => name.endsWith('.errored.json'));
    expect(saved, readdirSync(ws.dir).join(', ')).toBeDefined();
    const savedPath = path.join(ws.dir, saved as string);
    expect(String(result.stderr)).toContain(`rollout state push ${savedPath}`);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['one']); // two never started
    expect(JSON.parse(readFileSync(savedPath, 'utf8')).stages[0].status).toMatch(/soaking|succeeded/);

    rmSync(path.dirname(statePath));
    const pushed = await runCli(['state', 'push', savedPath], { cwd: ws.dir });
    expect(pushed.exitCode, pushed.all).toBe(0);
    const resumed = await runCli(['resume'], { cwd: ws.dir });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['one', 'two']);
  });

  it('a state directory made read-only mid-run: exit 3, the saved record and the left lock are named, and both ways back work', async () => {
    await writePlan(
      ws.dir,
      [
        'stages:',
        '  - name: one',
        '    deploy: echo one >> deploy.log',
        '    soak: 2s',
        '  - name: two',
        '    deploy: echo two >> deploy.log',
        '    soak: 0',
      ].join('\n'),
    );
    const statePath = defaultStatePath(ws.dir);
    const run = startUnprivileged(['run'], ws.dir);
    await waitForState(statePath, (s) => s.stages[0]?.status === 'soaking', 60_000);
    chmodSync(path.dirname(statePath), 0o500); // as a full disk or a read-only remount would: nothing can be written
    const result = await run;
    chmodSync(path.dirname(statePath), 0o700);

    expect(result.exitCode, String(result.all)).toBe(3);
    const stderr = String(result.stderr);
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(stderr).not.toContain('internal error');
    const saved = readdirSync(ws.dir).find((name) => name.endsWith('.errored.json'));
    expect(saved, readdirSync(ws.dir).join(', ')).toBeDefined();
    const savedPath = path.join(ws.dir, saved as string);
    expect(stderr).toContain(`Everything this run did is saved in ${savedPath}`);
    expect(stderr).toContain(`rollout state push ${savedPath}`);
    const runId = JSON.parse(readFileSync(savedPath, 'utf8')).runId as string;
    expect(stderr).toMatch(new RegExp(`the lock of ${statePath} could not be released \\(EACCES[^)]*\\): it is left behind.*rollout unlock --run-id ${runId}`));
    // Stopped by the failed write, not by a signal: the log and the record say so.
    expect(stderr).toMatch(/⚠ interrupted by a failed state write in /);
    expect(JSON.parse(readFileSync(savedPath, 'utf8'))).toMatchObject({ status: 'interrupted', interruptedBy: 'a failed state write' });
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['one']);

    // The stored record stopped at the failed write: status says where the rest is, not just "died".
    const status = await runCli(['status'], { cwd: ws.dir });
    expect(status.stdout).toMatch(new RegExp(`could not record its state here after serial \\d+: what it did since is saved in ${savedPath}`));
    expect(status.stdout).toContain(`rollout state push ${savedPath}`);

    expect((await runCli(['unlock', '--run-id', runId], { cwd: ws.dir })).exitCode).toBe(0);
    const pushed = await runCli(['state', 'push', savedPath], { cwd: ws.dir });
    expect(pushed.exitCode, pushed.all).toBe(0);
    const resumed = await runCli(['resume'], { cwd: ws.dir });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['one', 'two']);
  });

  it('a lock heartbeat (every 10 s) into the read-only directory is a warning, not a crash; the next write stops the run with exit 3', async () => {
    await writePlan(
      ws.dir,
      ['stages:', '  - name: one', '    deploy: "true"', '    soak: 12s', '  - name: two', '    deploy: echo two >> deploy.log', '    soak: 0'].join('\n'),
    );
    const statePath = defaultStatePath(ws.dir);
    const run = startUnprivileged(['run'], ws.dir);
    await waitForState(statePath, (s) => s.stages[0]?.status === 'soaking', 60_000);
    chmodSync(path.dirname(statePath), 0o500);
    const result = await run;
    chmodSync(path.dirname(statePath), 0o700);
    expect(result.exitCode, String(result.all)).toBe(3);
    expect(String(result.stderr)).toMatch(/warning: could not refresh the lock \S+state\.json\.lock: EACCES/);
    expect(String(result.stderr)).not.toContain('internal error');
    expect(await exists(path.join(ws.dir, 'deploy.log'))).toBe(false);
  });

  it('push refuses another run or an older serial unless --force --reason', async () => {
    await writePlan(ws.dir, 'stages:\n  - name: one\n    deploy: "true"\n    soak: 0\n');
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    const older = path.join(ws.dir, 'older.json');
    writeFileSync(older, readFileSync(defaultStatePath(ws.dir), 'utf8'));
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    const refused = await runCli(['state', 'push', older], { cwd: ws.dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/the stored record is another run .*nothing was written.*--force --reason/);
    const noReason = await runCli(['state', 'push', older, '--force'], { cwd: ws.dir });
    expect(noReason.exitCode).toBe(2);
    const forced = await runCli(['state', 'push', older, '--force', '--reason', 'restoring the CI artifact'], { cwd: ws.dir });
    expect(forced.exitCode, forced.all).toBe(0);
    expect(forced.stdout).toMatch(/forced: .*reason: restoring the CI artifact/);
    const history = await runCli(['history', '--json'], { cwd: ws.dir });
    expect(JSON.parse(history.stdout)).toHaveLength(2);
  });
});

describe('orphans after SIGKILL (issue 10 item 12)', { timeout: 120_000 }, () => {
  const ws = useWorkspace();

  // Recorded per unit since issue 16 item 5 (`processGroups`); a document 0.1.0 wrote has the one `processGroup` slot.
  for (const shape of ['units', '0.1.0'] as const) {
    it(`resume stops the dead run’s leftover deploy (same process group, verified) before deploying again (${shape} document)`, async () => {
      const deploy = 'if [ -e first ]; then echo again >> deploy.log; else touch first; echo $$ > group.pid; sleep 60; fi';
      await writePlan(ws.dir, `stages:\n  - name: one\n    deploy: ${JSON.stringify(deploy)}\n    soak: 0\n`);
      const statePath = defaultStatePath(ws.dir);
      const run = startCli(['run'], { cwd: ws.dir, timeout: 90_000 });
      await waitForState(statePath, (s) => ((s as { processGroups?: unknown[] }).processGroups ?? []).length > 0, 60_000);
      run.kill('SIGKILL');
      await run;
      const pid = Number(readFileSync(path.join(ws.dir, 'group.pid'), 'utf8'));
      expect(isRunning(pid)).toBe(true); // SIGKILL on the CLI left the deploy running
      if (shape === '0.1.0') {
        const { processGroups, ...doc } = JSON.parse(readFileSync(statePath, 'utf8'));
        const { unit: _unit, ...group } = processGroups[0];
        writeFileSync(statePath, JSON.stringify({ ...doc, processGroup: group }, null, 2));
        expect((await runCli(['status'], { cwd: ws.dir })).stdout).toContain(`Its commands may still be running: ${deploy} (process group ${pid}`);
      }

      const resumed = await runCli(['resume'], { cwd: ws.dir, timeout: 90_000 });
      expect(resumed.exitCode, resumed.all).toBe(0);
      expect(resumed.stderr).toMatch(new RegExp(`died leaving its command running \\(.*process group ${pid}\\); stopped it before going on`));
      expect(isRunning(pid)).toBe(false);
      expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['again']);
      const after = JSON.parse(readFileSync(statePath, 'utf8'));
      expect(after.processGroups ?? []).toEqual([]);
      expect(after.processGroup).toBeUndefined();
    });
  }
});

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}
