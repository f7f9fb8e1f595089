import { Chalk, type ChalkInstance } from 'chalk';

/** Where output goes and what it can do. Results go to `out`, progress and logs to `err`. */
export interface Terminal {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** stderr is an interactive terminal with a known width (spinners allowed). */
  isTTY: boolean;
  /** Running under CI (the `CI` variable, as every major vendor sets it). */
  isCI: boolean;
  color: ChalkInstance;
  /**
   * A person can answer a question: stdin and stdout are terminals and this is not CI. Only then
   * does a run reaching a gate ask promote / abort / wait (otherwise it stops, exit 7).
   */
  canPrompt?: boolean;
}

/**
 * Colour: off under NO_COLOR, on under FORCE_COLOR (its level if numeric), otherwise only on a
 * TTY. Decided here from the env we are given, not from chalk's own global detection.
 */
export function colorLevel(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const level = Number(force);
    return level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1;
  }
  if (!isTTY || env.TERM === 'dumb') return 0;
  return env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit' ? 3 : 2;
}

export function createTerminal(
  env: Readonly<Record<string, string | undefined>>,
  out: NodeJS.WriteStream,
  err: NodeJS.WriteStream,
  /** Whether stdin is a terminal (asked without opening stdin, which would keep the process alive). */
  inputIsTTY = false,
): Terminal {
  // A pty that reports no width (some CI runners, `script` without a size) cannot host a spinner:
  // ora divides by the column count.
  const isTTY = Boolean(err.isTTY) && (err.columns ?? 0) > 0;
  const isCI = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return {
    out,
    err,
    isTTY,
    isCI,
    color: new Chalk({ level: colorLevel(env, isTTY) }),
    canPrompt: inputIsTTY && Boolean(out.isTTY) && !isCI,
  };
}
