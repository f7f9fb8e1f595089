import { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { systemClock } from '../../src/clock.js';
import { validate } from '../../src/commands/validate.js';
import type { Context } from '../../src/context.js';
import { reportError } from '../../src/report-error.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * `rollout validate --config FILE` through the same code path as the CLI, with its errors mapped
 * by the same function cli.ts uses, but without a subprocess: thousands of runs take seconds.
 */
export async function validateInProcess(
  cwd: string,
  config: string,
  env: Record<string, string> = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const ctx: Context = {
    cwd,
    env,
    clock: systemClock,
    term: { out: out.stream, err: err.stream, isTTY: false, isCI: true, color: new Chalk({ level: 0 }) },
    host: 'test',
    pid: process.pid,
    signal: new AbortController().signal,
    hardSignal: new AbortController().signal,
  };
  let exitCode: number;
  try {
    exitCode = await validate({ config }, ctx);
  } catch (error) {
    exitCode = await reportError(error, ctx);
  }
  return { exitCode, stdout: out.text(), stderr: err.text() };
}
