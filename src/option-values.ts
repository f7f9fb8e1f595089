import { InputError } from './errors.js';
import { parseDuration } from './plan/duration.js';

/**
 * The rules for option values that are numbers or durations, in one place. cli.ts checks every
 * such option with them as the command line is parsed, before anything runs: `--paused-exit-code
 * 300` used to be noticed only when a gate was reached, after stages had deployed, and then exit 2
 * ("nothing was run"). The commands use the same functions to read the values.
 */

/** `--paused-exit-code N`: what a run stopped at a gate exits with (default 7). */
export function parsePausedExitCode(text: string): number {
  const code = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(code) || code < 0 || code > 255) throw new InputError(`--paused-exit-code ${text}: expected a whole number from 0 to 255`);
  return code;
}

/** `--wait-lock 10m`: how long to wait for another run's lock, in ms (0: do not wait). */
export function parseWaitLock(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new InputError(`--wait-lock ${text}: expected a duration like 30s, 5m or 1h`);
  return ms;
}

/** `--limit N` for `history`: at least one run. */
export function parseLimit(text: string): number {
  const limit = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1) throw new InputError(`--limit ${text}: expected a whole number of runs, at least 1`);
  return limit;
}

/** A commander argParser that refuses a bad value at once and keeps the text as given (commands read it with the same rule). */
export function checked(parse: (text: string) => unknown): (text: string) => string {
  return (text) => {
    parse(text);
    return text;
  };
}
