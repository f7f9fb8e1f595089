/**
 * The error taxonomy. Every error the CLI reports on purpose is a RolloutError carrying its exit
 * code; anything else reaching cli.ts is a bug and is reported as one (still without a trace
 * unless ROLLOUT_DEBUG is set).
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  rollbackFailed: 3,
  locked: 4,
  /** This run lost its lock (a shared store's lease) mid-run and stopped (src/state/errors.ts). */
  leaseLost: 5,
  /** A deploy window kept the next stage from starting; what passed stays deployed (`rollout resume` later). */
  blocked: 6,
  /** Stopped at a gate a person must decide (`rollout promote` / `rollout abort`); `--paused-exit-code` changes it. */
  paused: 7,
  interrupted: 130,
  terminated: 143,
  /** A bug in rollout (BSD's EX_SOFTWARE): never 1, which means "a stage failed". */
  internal: 70,
} as const;

export class RolloutError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, a bad plan, or an unreadable state file: nothing was run. Exit 2. */
export class InputError extends RolloutError {
  constructor(message: string) {
    super(message, ExitCode.badInput);
  }
}

export interface PlanProblem {
  file: string;
  line: number | null;
  col: number | null;
  /** Dotted key path, e.g. `stages.0.deploy`; empty for the whole document. */
  path: string;
  message: string;
}

/** A plan with one or more problems; each is printed as `file:line:col key.path: message`. */
export class PlanError extends InputError {
  constructor(
    readonly file: string,
    readonly problems: PlanProblem[],
  ) {
    super(formatProblems(file, problems));
  }
}

export function formatProblem(p: PlanProblem): string {
  const where = p.line === null ? p.file : `${p.file}:${p.line}:${p.col ?? 1}`;
  return p.path ? `${where} ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

function formatProblems(file: string, problems: PlanProblem[]): string {
  const head = problems.length === 1 ? `${file} is not a valid plan:` : `${file} is not a valid plan (${problems.length} problems):`;
  return [head, ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n');
}

/** Another run holds the state file's lock. Exit 4. */
export class LockedError extends RolloutError {
  constructor(message: string) {
    super(message, ExitCode.locked);
  }
}
