import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PARENT_POLL_MS, watchParentUnderNpm } from '../../src/exec/parent-watch.js';

/** A real shell's pid, so /proc says `sh` as it does for npm's `sh -c`. */
function startShell() {
  const shell = spawn('sh', ['-c', 'sleep 30'], { stdio: 'ignore' });
  return { pid: shell.pid as number, stop: () => shell.kill('SIGKILL') };
}

describe('watchParentUnderNpm', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('under npm, with a shell parent: the parent going away is reported once', () => {
    vi.useFakeTimers();
    const shell = startShell();
    try {
      let ppid = shell.pid;
      const onGone = vi.fn();
      watchParentUnderNpm({ npm_lifecycle_event: 'npx' }, onGone, () => ppid);
      vi.advanceTimersByTime(PARENT_POLL_MS * 4);
      expect(onGone).not.toHaveBeenCalled();
      ppid = 1; // reparented to init (or a subreaper)
      vi.advanceTimersByTime(PARENT_POLL_MS * 4);
      expect(onGone).toHaveBeenCalledTimes(1);
    } finally {
      shell.stop();
    }
  });

  it('outside npm nothing is watched: a parent may go on purpose (nohup … &)', () => {
    vi.useFakeTimers();
    const shell = startShell();
    try {
      let ppid = shell.pid;
      const onGone = vi.fn();
      watchParentUnderNpm({}, onGone, () => ppid);
      ppid = 1;
      vi.advanceTimersByTime(PARENT_POLL_MS * 4);
      expect(onGone).not.toHaveBeenCalled();
    } finally {
      shell.stop();
    }
  });

  it('a parent that is no shell (a test runner started by `npm test`) is not npm’s shim', () => {
    vi.useFakeTimers();
    let ppid = process.pid; // node
    const onGone = vi.fn();
    watchParentUnderNpm({ npm_lifecycle_event: 'test' }, onGone, () => ppid);
    ppid = 1;
    vi.advanceTimersByTime(PARENT_POLL_MS * 4);
    expect(onGone).not.toHaveBeenCalled();
  });
});
