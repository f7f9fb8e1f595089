import type { RolloutEvent } from '../engine/events.js';
import type { HttpClient } from '../http/client.js';
import type { Webhook } from '../plan/types.js';
import type { StateDocument } from '../state/document.js';
import { MeasuredValues } from './measured-values.js';
import { type NotifyPayload, notifyPayload } from './message.js';

export const NOTIFY_ATTEMPTS = 3;
const BACKOFF_MS = 500;

export interface NotifierOptions {
  /**
   * The run's document as the state store folds it (src/run/reduce.ts, the one fold), read after
   * the store has folded the event being handled: messages are built from it, never from a fold of our own.
   */
  document: () => StateDocument | null;
  hooks: readonly Webhook[];
  warn: (message: string) => void;
  /** The client webhooks are POSTed with: proxies, TLS and timeouts as for checks. */
  http: HttpClient;
}

/**
 * Tells webhooks about the run, fire-and-forget: `handle` only queues, so a slow or failing webhook
 * never delays or changes a decision. Each webhook gets its messages in order (one queue per hook);
 * each delivery is tried a bounded number of times with a timeout; failures become warnings.
 */
export class Notifier {
  private readonly queues: Promise<void>[];
  private readonly stop = new AbortController();
  private readonly measured = new MeasuredValues();
  private pending = 0;

  constructor(private readonly options: NotifierOptions) {
    this.queues = options.hooks.map(() => Promise.resolve());
  }

  handle(event: RolloutEvent): void {
    this.measured.hear(event);
    const doc = this.options.document();
    // Built now, while the document is as this event left it (the store folds the next one in place).
    const payload = doc && notifyPayload(event, doc, this.measured.detailOf);
    if (!payload) return;
    this.options.hooks.forEach((hook, i) => {
      if (!hook.events.includes(payload.event)) return;
      this.pending++;
      this.queues[i] = (this.queues[i] ?? Promise.resolve()).then(() => this.deliver(hook, payload)).finally(() => this.pending--);
    });
  }

  /** Waits for queued deliveries, at most `limitMs`; then gives up on the rest, with a warning. */
  async drain(limitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), limitMs);
    });
    const done = Promise.all(this.queues).then(() => false);
    const gaveUp = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    if (gaveUp && this.pending > 0) {
      this.options.warn(`notify: gave up on ${this.pending} webhook message${this.pending === 1 ? '' : 's'} still undelivered after ${limitMs / 1000}s`);
      this.stop.abort();
      await done;
    }
  }

  private async deliver(hook: Webhook, payload: NotifyPayload): Promise<void> {
    let problem = '';
    for (let attempt = 1; attempt <= NOTIFY_ATTEMPTS && !this.stop.signal.aborted; attempt++) {
      const result = await this.options.http.request({
        url: hook.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...hook.headers },
        body: JSON.stringify(payload),
        timeoutMs: hook.timeoutMs,
        signal: this.stop.signal,
      });
      // A status is an answer even when its body was too long to read: the receiver got the message.
      if (result.status === null) {
        problem = result.error?.kind === 'timeout' ? `no answer within ${hook.timeoutMs}ms` : (result.error?.message ?? 'no answer');
      } else {
        if (result.status >= 200 && result.status < 300) return;
        problem = `HTTP ${result.status}`;
        // A client error will not fix itself on retry (bad URL, bad token), except rate limiting.
        if (result.status < 500 && result.status !== 429) break;
      }
      if (attempt < NOTIFY_ATTEMPTS) await sleep(BACKOFF_MS * attempt, this.stop.signal);
    }
    if (this.stop.signal.aborted) return;
    this.options.warn(`notify: could not deliver ${payload.event} to ${hook.displayUrl}: ${problem}`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
