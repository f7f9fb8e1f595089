import type { Context } from '../context.js';
import { parseLimit } from '../option-values.js';
import { terminalSafeJson } from '../output/escape-control.js';
import { renderHistory } from '../output/history-table.js';
import { locateState } from './locate-state.js';

export interface HistoryOptions {
  state?: string;
  key?: string;
  config?: string;
  limit?: string;
  json?: boolean;
}

/** `rollout history`: the runs kept for this state, newest first (`rollout status --run ID` shows one). */
export async function history(options: HistoryOptions, ctx: Context): Promise<number> {
  const limit = options.limit === undefined ? 20 : parseLimit(options.limit);
  const backend = await locateState(options, ctx);
  try {
    const runs = await backend.history(limit);
    ctx.term.out.write(options.json ? `${terminalSafeJson(runs, 2)}\n` : `${renderHistory(runs)}\n`);
    return 0;
  } finally {
    await backend.close();
  }
}
