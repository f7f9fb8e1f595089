import { parseDuration } from './duration.js';
import { NOTIFY_EVENTS, type RawWebhook } from './schema.js';
import type { Webhook } from './types.js';

export const NOTIFY_TIMEOUT_MS = 5_000;

/** `notify:` entries with defaults applied and `${vars.X}`/`${env.X}` filled in. */
export function normaliseNotify(
  raw: RawWebhook[],
  substitute: (text: string, path: (string | number)[]) => string,
  problem: (path: (string | number)[], message: string) => void,
): Webhook[] {
  return raw.map((hook, index) => {
    const url = substitute(hook.url, [index, 'url']);
    if (!/\$\{/.test(url) && !/^https?:\/\/[^/]/i.test(url)) problem([index, 'url'], 'not an http(s) URL after substitution');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(hook.headers ?? {})) headers[name] = substitute(value, [index, 'headers', name]);
    return {
      url,
      displayUrl: originOf(url),
      events: [...(hook.events ?? NOTIFY_EVENTS)],
      headers,
      timeoutMs: hook.timeout === undefined ? NOTIFY_TIMEOUT_MS : Math.max(1, parseDuration(hook.timeout) ?? NOTIFY_TIMEOUT_MS),
    };
  });
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'webhook';
  }
}
