import { hostname } from 'node:os';
import { isatty } from 'node:tty';
import { type Clock, systemClock } from './clock.js';
import { createTerminal, type Terminal } from './output/terminal.js';
import type { StateBackend } from './state/backend.js';
import type { BackendOptions } from './state/registry.js';

/**
 * Side effects come in through here: commands never read process.env, the clock or the console
 * directly, so tests and embedders can supply their own.
 */
export interface Context {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  term: Terminal;
  host: string;
  pid: number;
  /** Where a person types answers (stdin), opened only when a question is asked. */
  input?: () => NodeJS.ReadableStream;
  /** Aborted when the process receives SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** Aborted on a second SIGINT/SIGTERM: stop everything now. */
  hardSignal: AbortSignal;
  /**
   * Opens the store of record for a state location (a path, or postgres://…). Tests inject their
   * own backend here; absent, the registry in src/state/registry.ts chooses.
   */
  openState?: (location: string, options: BackendOptions) => Promise<StateBackend>;
}

export function processContext(signal: AbortSignal, hardSignal: AbortSignal): Context {
  return {
    cwd: process.cwd(),
    env: process.env,
    clock: systemClock,
    term: createTerminal(process.env, process.stdout, process.stderr, isatty(0)),
    input: () => process.stdin,
    // ROLLOUT_HOLDER: the holder identity, for CI systems that know better than the host name (and tests).
    host: process.env.ROLLOUT_HOLDER || hostname(),
    pid: process.pid,
    signal,
    hardSignal,
  };
}
