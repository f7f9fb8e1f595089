import { cloudwatchSource } from './cloudwatch/index.js';
import { commandKind } from './command/index.js';
import { datadogSource } from './datadog/index.js';
import { graphiteSource } from './graphite/index.js';
import { httpKind } from './http/index.js';
import { influxdbSource } from './influxdb/index.js';
import type { AnyCheckKind } from './kind.js';
import { metricKind } from './metric/kind.js';
import { prometheusSource } from './prometheus/index.js';

/**
 * Every check kind, by its `type:`. A new kind is one folder and one line here; a new metric source
 * (metric/source.ts) is one folder and one `name: metricKind(source)` line.
 */
export const CHECK_KINDS = {
  http: httpKind,
  command: commandKind,
  prometheus: metricKind(prometheusSource),
  graphite: metricKind(graphiteSource),
  influxdb: metricKind(influxdbSource),
  datadog: metricKind(datadogSource),
  cloudwatch: metricKind(cloudwatchSource),
} as const satisfies Record<string, AnyCheckKind>;

export type CheckType = keyof typeof CHECK_KINDS;

export function checkKind(type: string): AnyCheckKind {
  const kind = (CHECK_KINDS as Record<string, AnyCheckKind>)[type];
  if (kind === undefined) throw new Error(`unknown check kind ${type}`);
  return kind;
}
