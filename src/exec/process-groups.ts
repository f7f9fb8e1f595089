/**
 * Process groups of commands still running. Kept apart from run-command.ts (and execa) so the CLI
 * can register its exit hook without loading them.
 */
const active = new Set<number>();
const watchers = new Set<(pgid: number) => void>();

export function trackGroup(pid: number): void {
  active.add(pid);
  for (const watcher of watchers) watcher(pid);
}

export function untrackGroup(pid: number): void {
  active.delete(pid);
}

/** Calls `watcher` with each new command's process group id (to record it in the state); returns the unwatch. */
export function watchGroups(watcher: (pgid: number) => void): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
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
