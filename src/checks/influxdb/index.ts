import { z } from 'zod';
import { fillQuery } from '../metric/interpolate.js';
import { oneLine } from '../metric/reading.js';
import { serverKey } from '../metric/schema.js';
import type { MetricSource } from '../metric/source.js';
import { readInfluxAnswer } from './answer.js';

const shape = z.object({
  server: serverKey('http://influxdb:8086'),
  db: z.string().min(1, { message: 'must name the database' }).describe('The database the query reads (`db=`). May use ${vars.NAME}.'),
  query: z
    .string()
    .min(1, { message: 'must be one InfluxQL SELECT statement' })
    .describe('One InfluxQL statement, e.g. SELECT percentile("duration", 95) FROM "http" WHERE "version" = \'${vars.version}\' AND time > now() - 5m.'),
});

type RawInflux = z.infer<typeof shape>;

interface InfluxQuery {
  db: string;
  query: string;
  displayQuery: string;
}

/** Outside quotes a value may be a number, a duration or a plain name; in '…' and "…" it is escaped. */
const LANGUAGE = { quotes: ["'", '"'], token: /^[A-Za-z0-9_.:-]*$/, tokenWords: 'letters, digits, _ - : and .', name: 'InfluxQL' } as const;

/**
 * `type: influxdb` (InfluxDB 1.x, or 2.x's v1 compatibility API): `GET /query?db=…&q=…&epoch=ms`.
 * The query says its own time range (`time > now() - 5m`); each series (and each value column) is
 * judged on its latest non-null value.
 */
export const influxdbSource: MetricSource<RawInflux, InfluxQuery> = {
  type: 'influxdb',
  label: 'InfluxDB',
  schema: shape,
  normalise: (raw, ctx) => ({
    db: ctx.substitute(raw.db, ['db']),
    query: fillQuery(raw.query, ['query'], LANGUAGE, ctx),
    displayQuery: ctx.display(raw.query),
  }),
  async query(spec, _window, io) {
    const url = new URL(spec.server);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/query`;
    url.search = new URLSearchParams({ db: spec.query.db, q: spec.query.query, epoch: 'ms' }).toString();
    const answer = await io.fetch({ url: url.href });
    if (!answer.ok)
      return {
        kind: 'error',
        error: { kind: answer.error.kind, message: `InfluxDB at ${url.protocol}//${url.host}: ${answer.error.message} (query: ${oneLine(spec.query.query)})` },
      };
    return readInfluxAnswer(answer.status, answer.body, spec.query.query);
  },
  describe: (query) => `InfluxQL: ${oneLine(query.displayQuery)}`,
  show: (query) => ({ db: query.db, query: query.displayQuery }),
};
