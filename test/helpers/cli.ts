import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

/** Drives the built CLI (`bin/rollout.js` → `dist/cli.js`) as a real subprocess. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'rollout.js');

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Kill the CLI after this many ms so a hang fails the test instead of hanging vitest. */
  timeout?: number;
}

export interface CliResult {
  /** `undefined` when the CLI was killed by a signal (e.g. our timeout). */
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  all: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The parent's environment without anything that would switch colours back on. */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'FORCE_COLOR' && !key.startsWith('ROLLOUT_')) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', CI: 'true', ...extra };
}

/**
 * Every CLI this test file started, until `takeSettledClis` hands it to the warning check
 * (test/setup/fail-on-warnings.ts): a Node warning on a CLI's stderr fails the test that ran it.
 */
const startedClis: { settled: boolean; stderr: string; args: string[] }[] = [];

/** The CLIs started so far that have exited, removed from the list; running ones stay for later. */
export function takeSettledClis(): { stderr: string; args: string[] }[] {
  const settled = startedClis.filter((cli) => cli.settled);
  startedClis.splice(0, startedClis.length, ...startedClis.filter((cli) => !cli.settled));
  return settled;
}

/** A line Node prints for a process warning: `(node:1234) [DEP0040] DeprecationWarning: …`. */
export const NODE_WARNING = /^\(node:\d+\) (\[\w+\] )?\w*Warning\b.*$/m;

/** Starts the CLI without waiting: for lock, concurrency and signal tests. */
export function startCli(args: string[], opts: CliOptions = {}): ResultPromise<{ all: true; reject: false }> {
  const child = spawnCli(args, opts);
  const record = { settled: false, stderr: '', args };
  startedClis.push(record);
  child.then(
    (result) => {
      record.stderr = String(result.stderr ?? '');
      record.settled = true;
    },
    () => {
      record.settled = true;
    },
  );
  return child;
}

function spawnCli(args: string[], opts: CliOptions): ResultPromise<{ all: true; reject: false }> {
  return execa(process.execPath, [binPath, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    env: cliEnv(opts.env),
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: opts.timeout ?? DEFAULT_TIMEOUT_MS,
    // Long enough for a graceful shutdown (record, roll back, release the lock) on a loaded machine.
    forceKillAfterDelay: 10_000,
  }) as ResultPromise<{ all: true; reject: false }>;
}

/** Runs the CLI to completion. Never throws on a non-zero exit. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return toCliResult(await startCli(args, opts));
}

interface ExecaLikeResult {
  exitCode?: number | undefined;
  signal?: string | undefined;
  timedOut: boolean;
  stdout?: unknown;
  stderr?: unknown;
  all?: unknown;
}

export function toCliResult(result: ExecaLikeResult): CliResult {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    all: String(result.all ?? ''),
  };
}

/** A JavaScript stack frame (`    at fn (file.js:1:2)`): user-facing errors must never show one. */
export const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

/** Everything a failing assertion needs to explain itself. */
export function describeResult(result: CliResult): string {
  return [
    `exit code: ${result.exitCode} signal: ${result.signal} timedOut: ${result.timedOut}`,
    '--- stdout ---',
    result.stdout,
    '--- stderr ---',
    result.stderr,
  ].join('\n');
}
