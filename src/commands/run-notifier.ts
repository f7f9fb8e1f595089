import type { Context } from '../context.js';
import type { RolloutEvent } from '../engine/events.js';
import { createHttpClient } from '../http/client.js';
import { Notifier } from '../notify/notifier.js';
import type { Plan } from '../plan/types.js';
import type { StateDocument } from '../state/document.js';

/** How long a finished run waits for webhook deliveries still in flight. */
export const NOTIFY_DRAIN_MS = 10_000;
/** After Ctrl-C or a CI cancel: the runner's grace period is short. */
const NOTIFY_DRAIN_INTERRUPTED_MS = 2_000;

export interface RunNotifier {
  /** The engine listener that queues webhook messages (a no-op without `notify:`); it hears each event after the store folded it. */
  listen(event: RolloutEvent): void;
  /** Waits (bounded) for deliveries in flight, then closes the webhooks' HTTP client. Call outside the lock. */
  finish(): Promise<void>;
}

/**
 * The webhooks of one command's part of a run. `run`, `resume`/`promote`/`abort` and `rollback` all
 * open one, so every end of a run is notified the same way, a manual rollback included.
 */
export function openRunNotifier(
  plan: Plan,
  ctx: Pick<Context, 'env' | 'signal'>,
  warn: (message: string) => void,
  /** The run's state store: every message is built from the document it folds (never from a fold of the notifier's own). */
  store: { readonly document: StateDocument | null },
): RunNotifier {
  if (!plan.notify?.length) return { listen: () => {}, finish: async () => {} };
  const http = createHttpClient(ctx.env);
  const notifier = new Notifier({ document: () => store.document, hooks: plan.notify, warn, http });
  return {
    listen: (event) => notifier.handle(event),
    async finish() {
      await notifier.drain(ctx.signal.aborted ? NOTIFY_DRAIN_INTERRUPTED_MS : NOTIFY_DRAIN_MS);
      await http.close();
    },
  };
}
