import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { escapeControl } from '../output/escape-control.js';
import { locateState } from './locate-state.js';

export interface UnlockOptions {
  runId: string;
  state?: string;
  key?: string;
  config?: string;
}

/**
 * `rollout unlock --run-id ID`: remove a lock whose holder is gone but cannot be proven dead (it
 * ran on another host). Only the holder's own run id removes it, so a typo never frees a live run.
 */
export async function unlock(options: UnlockOptions, ctx: Context): Promise<number> {
  const backend = await locateState(options, ctx);
  try {
    const where = backend.location.includes('://') ? `the lock of ${backend.location}` : `${backend.location}.lock`;
    const result = await backend.unlock(options.runId);
    if (result.kind === 'removed') {
      const { holder } = result;
      // The lock file is outside data: what it says is shown, never obeyed by the terminal.
      ctx.term.out.write(`${escapeControl(`Removed ${where}: run ${holder.runId} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}).`)}\n`);
      return 0;
    }
    if (result.kind === 'none') {
      ctx.term.out.write(`No lock at ${where}: nothing to remove.\n`);
      return 0;
    }
    const who = result.holder ? `run ${result.holder.runId} (pid ${result.holder.pid} on ${result.holder.host})` : 'an unreadable lock';
    throw new InputError(`${where} is held by ${who}, not ${options.runId}; it was left in place.`);
  } finally {
    await backend.close();
  }
}
