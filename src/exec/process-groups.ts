/**
 * Process groups of commands still running. Kept apart from run-command.ts (and execa) so the CLI
 * can register its exit hook without loading them.
 */
const active = new Set<number>();

export function trackGroup(pid: number): void {
  active.add(pid);
}

export function untrackGroup(pid: number): void {
  active.delete(pid);
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group is already gone.
  }
}

/** Last resort when the CLI exits with commands still running: no process of ours outlives us. */
export function killActiveCommands(): void {
  for (const pid of active) signalGroup(pid, 'SIGKILL');
  active.clear();
}
