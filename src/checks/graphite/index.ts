import { z } from 'zod';
import { fillQuery } from '../metric/interpolate.js';
import { oneLine } from '../metric/reading.js';
import { serverKey, windowKey } from '../metric/schema.js';
import type { MetricSource } from '../metric/source.js';
import { readRender } from './render.js';

const shape = z.object({
  server: serverKey('http://graphite:8080'),
  target: z
    .string()
    .min(1, { message: 'must be a Graphite target, e.g. sumSeries(app.web.*.requests.5xx)' })
    .describe('Graphite target (a path or function); ${vars.NAME}, ${args.NAME} and ${stage.name} may be path parts or inside quotes.'),
  window: windowKey,
});

type RawGraphite = z.infer<typeof shape>;

interface GraphiteQuery {
  target: string;
  displayTarget: string;
}

/** Path parts outside quotes: letters, digits, `_ - .`; never a wildcard, brace, comma or parenthesis. */
const LANGUAGE = { quotes: ["'", '"'], token: /^[A-Za-z0-9_.-]*$/, tokenWords: 'letters, digits, _ - and .', name: 'Graphite', escapes: false } as const;

/**
 * `type: graphite`: `GET /render?format=json&target=…&from=…&until=…` over the last `window` (the
 * engine's now as `until`; `from=-5min` by default). Each series is judged on its latest non-null
 * point: a null is no data, never zero.
 */
export const graphiteSource: MetricSource<RawGraphite, GraphiteQuery> = {
  type: 'graphite',
  label: 'Graphite',
  schema: shape,
  normalise: (raw, ctx) => ({ target: fillQuery(raw.target, ['target'], LANGUAGE, ctx), displayTarget: ctx.display(raw.target) }),
  async query(spec, window, io) {
    const url = new URL(spec.server);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/render`;
    url.search = new URLSearchParams({
      format: 'json',
      target: spec.query.target,
      from: String(Math.floor((window.endMs - window.durationMs) / 1000)),
      until: String(Math.floor(window.endMs / 1000)),
    }).toString();
    const answer = await io.fetch({ url: url.href });
    const where = `Graphite at ${url.protocol}//${url.host}`;
    if (!answer.ok)
      return { kind: 'error', error: { kind: answer.error.kind, message: `${where}: ${answer.error.message} (target: ${oneLine(spec.query.target)})` } };
    return readRender(answer.status, answer.body, spec.query.target);
  },
  describe: (query) => `Graphite: ${oneLine(query.displayTarget)}`,
  show: (query) => ({ target: query.displayTarget }),
};
