import { describe, expect, it } from 'vitest';
import { readPage } from '../../src/checks/cloudwatch/answer.js';
import { readDatadogAnswer } from '../../src/checks/datadog/answer.js';
import { readRender } from '../../src/checks/graphite/render.js';
import { readInfluxAnswer } from '../../src/checks/influxdb/answer.js';
import type { NormaliseContext } from '../../src/checks/kind.js';
import { fillQuery } from '../../src/checks/metric/interpolate.js';
import { latestPoint, resultOf } from '../../src/checks/metric/reading.js';

/** Each source's reading of its server's answer, and the one normalisation into `result`. */
const Q = 'the query';

describe('the normalisation every source shares', () => {
  it('a scalar is its number or text; one series its number; several a list by label; none no data', () => {
    expect(resultOf({ kind: 'scalar', value: 0.5 })).toEqual({ value: 0.5, display: '0.5', noData: false });
    expect(resultOf({ kind: 'scalar', value: 'v2' })).toEqual({ value: 'v2', display: '"v2"', noData: false });
    expect(resultOf({ kind: 'series', series: [{ labels: { a: '1' }, value: Number.NaN }] })).toEqual({ value: Number.NaN, display: 'NaN', noData: false });
    const two = resultOf({
      kind: 'series',
      series: [
        { labels: { host: 'b' }, value: 2 },
        { labels: { host: 'a' }, value: 1 },
      ],
    });
    expect(two).toEqual({ value: [1, 2], display: '[1, 2]', noData: false });
    expect(resultOf({ kind: 'series', series: [] })).toEqual({ value: null, display: 'no data', noData: true });
  });

  it('a windowed series is its latest non-null point, whatever order the points came in', () => {
    expect(
      latestPoint([
        [3, null],
        [1, 5],
        [2, 7],
      ]),
    ).toBe(7);
    expect(latestPoint([[1, null]])).toBeNull();
    expect(latestPoint([])).toBeNull();
  });
});

describe('graphite render JSON', () => {
  it('trailing nulls are skipped; a series of nulls is dropped; nothing left is no data', () => {
    const body = JSON.stringify([
      {
        target: 'a',
        datapoints: [
          [1, 10],
          [2, 11],
          [null, 12],
        ],
      },
      { target: 'b', datapoints: [[null, 10]] },
    ]);
    expect(readRender(200, body, Q)).toEqual({ kind: 'series', series: [{ labels: { target: 'a' }, value: 2 }] });
    expect(readRender(200, '[]', Q)).toEqual({ kind: 'series', series: [] });
  });

  it('a 400 is a query error quoting Graphite; an HTML 500 is a server error quoting its first line', () => {
    expect(readRender(400, 'Invalid parameters (Received request for unknown function: nosuch)', Q)).toEqual({
      kind: 'error',
      error: { kind: 'query', message: 'Graphite answered HTTP 400: "Invalid parameters (Received request for unknown function: nosuch)" (target: the query)' },
    });
    const html = '<body>\n<h2>\n<p>Graphite encountered an unexpected error.</p>\n</h2>';
    expect(readRender(500, html, Q)).toMatchObject({
      error: { kind: 'server', message: expect.stringContaining('Graphite encountered an unexpected error.') },
    });
    expect(readRender(200, '<html>login</html>', Q)).toMatchObject({ error: { kind: 'answer' } });
  });
});

describe('influxdb /query JSON', () => {
  it('each value column of each series is a series; strings and nulls are not values', () => {
    const body = JSON.stringify({
      results: [
        {
          statement_id: 0,
          series: [
            {
              name: 'http',
              tags: { host: 'a' },
              columns: ['time', 'p95', 'note'],
              values: [
                [1, 120, 'x'],
                [2, null, 'y'],
              ],
            },
          ],
        },
      ],
    });
    expect(readInfluxAnswer(200, body, Q)).toEqual({ kind: 'series', series: [{ labels: { name: 'http', host: 'a', column: 'p95' }, value: 120 }] });
    expect(readInfluxAnswer(200, '{"results":[{"statement_id":0}]}', Q)).toEqual({ kind: 'series', series: [] });
  });

  it('errors: a parse error, a statement error, several statements, bad credentials', () => {
    expect(readInfluxAnswer(400, '{"error":"error parsing query: found SELEC"}', Q)).toMatchObject({
      error: { kind: 'query', message: expect.stringContaining('found SELEC') },
    });
    expect(readInfluxAnswer(200, '{"results":[{"statement_id":0,"error":"database not found: x"}]}', Q)).toMatchObject({ error: { kind: 'query' } });
    expect(readInfluxAnswer(200, '{"results":[{"statement_id":0},{"statement_id":1}]}', Q)).toMatchObject({
      error: { message: expect.stringContaining('2 statements') },
    });
    expect(readInfluxAnswer(401, '{"error":"authorization failed"}', Q)).toMatchObject({ error: { kind: 'auth' } });
  });
});

describe('datadog MetricsQueryResponse', () => {
  it('pointlist nulls are skipped; the series are labelled by scope', () => {
    const body = JSON.stringify({
      status: 'ok',
      series: [
        {
          scope: 'version:v2',
          expression: 'q',
          pointlist: [
            [1000, 0.5],
            [2000, null],
          ],
        },
      ],
    });
    expect(readDatadogAnswer(200, body, Q)).toEqual({ kind: 'series', series: [{ labels: { scope: 'version:v2', expression: 'q' }, value: 0.5 }] });
  });

  it('403 is a key problem; status error and 400 are query errors', () => {
    expect(readDatadogAnswer(403, '{"errors":["Forbidden"]}', Q)).toMatchObject({ error: { kind: 'auth' } });
    expect(readDatadogAnswer(200, '{"status":"error","error":"bad metric"}', Q)).toMatchObject({
      error: { kind: 'query', message: expect.stringContaining('bad metric') },
    });
    expect(readDatadogAnswer(400, '{"errors":["Error parsing query"]}', Q)).toMatchObject({ error: { kind: 'query' } });
  });
});

describe('cloudwatch GetMetricData pages', () => {
  it('MetricDataResults and NextToken', () => {
    const body = JSON.stringify({ MetricDataResults: [{ Id: 'p95', Timestamps: [60, 120], Values: [0.1, 0.2], StatusCode: 'PartialData' }], NextToken: 'abc' });
    expect(readPage(200, body)).toEqual({ results: [{ Id: 'p95', Timestamps: [60, 120], Values: [0.1, 0.2], StatusCode: 'PartialData' }], nextToken: 'abc' });
  });

  it.each([
    [403, 'com.amazonaws.monitoring#InvalidSignatureException', 'auth'],
    [400, 'com.amazon.coral.service#UnrecognizedClientException', 'auth'],
    [400, 'Throttling', 'rate-limit'],
    [400, 'com.amazonaws.monitoring#InvalidParameterValueException', 'query'],
    [500, 'InternalServiceError', 'server'],
  ])('HTTP %i %s is an error of kind %s', (status, type, kind) => {
    expect(readPage(status, JSON.stringify({ __type: type, message: 'm' }))).toEqual({
      error: { kind, message: expect.stringContaining(`${type.split('#').at(-1)}: m`) },
    });
  });
});

describe('filling values into a query language', () => {
  const ctx = (vars: Record<string, string>, problems: string[]): NormaliseContext =>
    ({
      substitute: (text: string) => text.replace(/\$\{vars\.(\w+)\}/g, (_m, name: string) => vars[name] ?? ''),
      display: (text: string) => text,
      problem: (_key: unknown, message: string) => problems.push(message),
    }) as unknown as NormaliseContext;
  const influx = { quotes: ["'", '"'], token: /^[A-Za-z0-9_.:-]*$/, tokenWords: 'letters, digits, _ - : and .', name: 'InfluxQL' };
  const graphite = { quotes: ["'", '"'], token: /^[A-Za-z0-9_.-]*$/, tokenWords: 'letters, digits, _ - and .', name: 'Graphite', escapes: false };

  it('escapes a quote inside a string, so a value cannot end it', () => {
    const problems: string[] = [];
    expect(fillQuery("WHERE v = '${vars.v}'", ['q'], influx, ctx({ v: "x' OR '1'='1" }, problems))).toBe("WHERE v = 'x\\' OR \\'1\\'=\\'1'");
    expect(problems).toEqual([]);
  });

  it('refuses outside a string anything but a plain token; in a Graphite string, a quote', () => {
    const problems: string[] = [];
    expect(fillQuery('sum(web.${vars.v}.errors)', ['t'], graphite, ctx({ v: 'a.*),x(b' }, problems))).toBe('sum(web..errors)');
    expect(fillQuery("alias(a, '${vars.v}')", ['t'], graphite, ctx({ v: "it's" }, problems))).toBe("alias(a, '')");
    expect(problems).toEqual([
      expect.stringContaining('${vars.v} is used outside a quoted string, where Graphite allows only letters, digits, _ - and . (got'),
      expect.stringContaining("${vars.v} holds ', \\ or a control character"),
    ]);
  });
});
