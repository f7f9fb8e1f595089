/** Who holds a lock: written into the lock (file or lease row), shown when another run is refused. */
export interface LockInfo {
  runId: string;
  pid: number;
  host: string;
  startedAt: string;
  command: string;
  /** Refreshed while the holder lives; how other hosts tell a dead holder. */
  heartbeatAt: string;
  /**
   * Which kernel and pid namespace `pid` belongs to (`<boot id>/<pid ns>`): a pid is judged only
   * from the same one, since CI containers reuse host names and small pids. Absent in old locks.
   */
  machine?: string;
  /** The holder process's start time (clock ticks since boot), so a reused pid is not mistaken for it. */
  pidStart?: string;
  /** Random per holder: tells two holders apart when everything else matches. */
  token?: string;
  /** The CI job that holds it, where the CI says (GitHub, GitLab, Buildkite, Jenkins). */
  ciJob?: string;
}
