import { actorFrom } from '../actor.js';
import type { Context } from '../context.js';
import type { WindowOverride } from '../engine/window-gate.js';
import { InputError } from '../errors.js';

export interface WindowOverrideOptions {
  overrideWindow?: boolean;
  reason?: string;
}

/** `--override-window --reason TEXT`: a reason is required, so the record says why the window was ignored. */
export function windowOverride(options: WindowOverrideOptions, ctx: Pick<Context, 'env'>): WindowOverride | null {
  if (!options.overrideWindow) return null;
  const reason = options.reason?.trim();
  if (!reason) throw new InputError('--override-window needs --reason TEXT: the state, the events and the summary record why a deploy window was overridden.');
  return { reason, by: actorFrom(ctx.env) };
}
