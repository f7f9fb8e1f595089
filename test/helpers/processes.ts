import fs from 'node:fs';

/**
 * Whether `pid` is a live process. A zombie counts as dead: in a container whose PID 1 does not
 * reap orphans, a killed grandchild can linger as a zombie even though it no longer runs.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Format: "pid (comm) S ..."; comm may contain spaces or parentheses, so read after the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Kills a leftover process from a failed test; ignores one that is already gone. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Polls `condition` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return condition();
}

/**
 * A deploy command that holds until the test releases it (`release(dir)`), so a test that needs
 * "a run busy right now" never races a soak's clock on a loaded machine. It writes `holding`
 * first, so the test can also wait for the command to be under way. Gives up after 60 s.
 */
export function heldDeploy(then = 'true'): string {
  return `touch holding; i=0; while [ ! -e release ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; ${then}`;
}

/** Lets every `heldDeploy` running in `dir` finish. */
export function release(dir: string): void {
  fs.writeFileSync(`${dir}/release`, '');
}
