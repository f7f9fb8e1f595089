import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { binPath, runCli } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { readLines, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

const plan = `name: shop
stages:
  - name: canary
    deploy: echo canary >> deploy.log
    rollback: echo canary >> rollback.log
    soak: 0
    approval: {timeout: 72h, message: "look at the canary dashboard"}
  - name: half
    deploy: echo half >> deploy.log
    soak: 0
`;

const QUESTION = 'Promote, abort or wait? [p/a/w]';

/**
 * `rollout run` in a real pseudo-terminal (util-linux `script`): what we type goes to the pty as a
 * person's keys do (so Ctrl-C is the terminal's SIGINT), and the screen is collected to wait on.
 */
function runAtTerminal(dir: string) {
  // exec: node is the pty's foreground process itself, so Ctrl-C reaches it and its exit code is script's.
  const command = `stty cols 120 rows 40; exec '${process.execPath}' '${binPath}' run`;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TERM: 'xterm-256color', NO_COLOR: '1', ROLLOUT_ACTOR: 'alice' };
  const child = execa('script', ['-qfec', command, '/dev/null'], { cwd: dir, env, extendEnv: false, reject: false, stdin: 'pipe', timeout: 30_000 });
  let screen = '';
  const waiters: { text: string; count: number; resolve: () => void }[] = [];
  const seen = (text: string) => screen.split(text).length - 1;
  child.stdout?.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    for (const waiter of waiters.filter((w) => seen(w.text) >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  return {
    /** Resolves once `text` has appeared `count` times on the screen. */
    waitFor: (text: string, count = 1) =>
      new Promise<void>((resolve) => {
        if (seen(text) >= count) resolve();
        else waiters.push({ text, count, resolve });
      }),
    type: (keys: string) => child.stdin?.write(keys),
    done: async () => {
      const result = await child;
      return { exitCode: result.exitCode, timedOut: result.timedOut, screen };
    },
  };
}

describe('at a terminal, a gate asks promote / abort / wait', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('shows the evidence, re-asks on a wrong answer, and promote goes on to the next stage in the same process', async () => {
    await writePlan(ws.dir, plan);
    const terminal = runAtTerminal(ws.dir);
    await terminal.waitFor(QUESTION);
    terminal.type('maybe\n');
    await terminal.waitFor(QUESTION, 2);
    terminal.type('p\n');
    const { exitCode, timedOut, screen } = await terminal.done();
    expect(timedOut).toBe(false);
    expect(exitCode, screen).toBe(0);
    expect(screen).toMatch(/Waiting at gate canary-\w+ after canary \(approval\): look at the canary dashboard/);
    expect(screen).toMatch(/expires .* \(then: abort\)/);
    expect(screen).toContain('Please type p (promote), a (abort) or w (wait');
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'half']);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('succeeded');
    expect(state.gate?.decision).toMatchObject({ decision: 'promote', by: 'alice', reason: 'at the terminal' });
  });

  it('abort rolls back what was deployed (exit 1)', async () => {
    await writePlan(ws.dir, plan);
    const terminal = runAtTerminal(ws.dir);
    await terminal.waitFor(QUESTION);
    terminal.type('abort\n');
    const { exitCode, screen } = await terminal.done();
    expect(exitCode, screen).toBe(1);
    expect(await readLines(path.join(ws.dir, 'rollback.log'))).toEqual(['canary']);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('rolled_back');
    expect(state.gate?.decision).toMatchObject({ decision: 'abort', by: 'alice' });
  });

  it('Ctrl-C leaves it paused as without a terminal (exit 7, lock released), and status shows the pending gate', async () => {
    await writePlan(ws.dir, plan);
    const terminal = runAtTerminal(ws.dir);
    await terminal.waitFor(QUESTION);
    terminal.type('\x03');
    const { exitCode, screen } = await terminal.done();
    expect(exitCode, screen).toBe(7);
    expect(screen).toMatch(/continue with: rollout promote --gate canary-\w+/);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe('paused');
    expect(state.gate?.decision).toBeNull();
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary']);
    const status = await runCli(['status'], { cwd: ws.dir });
    expect(status.stdout).toContain(`Waiting at gate ${state.gate?.id} after canary (approval)`);
    // The lock was released: another job can decide at once.
    const abort = await runCli(['abort', '--reason', 'later'], { cwd: ws.dir });
    expect(abort.exitCode, abort.stderr).toBe(1);
  });
});
