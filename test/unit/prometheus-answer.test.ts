import { describe, expect, it } from 'vitest';
import { formatNumber, readAnswer } from '../../src/checks/prometheus/answer.js';
import { keptQueryUrl, queryUrl } from '../../src/checks/prometheus/query.js';

const Q = 'sum(rate(http_requests_total{code=~"5.."}[1m]))';
const ok = (resultType: string, result: unknown) => JSON.stringify({ status: 'success', data: { resultType, result } });
const sample = (labels: Record<string, string>, value: string) => ({ metric: labels, value: [1_700_000_000.5, value] });

describe('reading a Prometheus answer', () => {
  it.each([
    ['a scalar', ok('scalar', [1, '0.034']), 0.034, '0.034'],
    ['a one-series vector', ok('vector', [sample({}, '12')]), 12, '12'],
    ['NaN (0/0 in a ratio)', ok('vector', [sample({}, 'NaN')]), Number.NaN, 'NaN'],
    ['+Inf', ok('vector', [sample({}, '+Inf')]), Number.POSITIVE_INFINITY, '+Inf'],
    ['-Inf', ok('scalar', [1, '-Inf']), Number.NEGATIVE_INFINITY, '-Inf'],
    ['a long fraction', ok('scalar', [1, '0.0123456789']), 0.0123456789, '0.01235'],
  ])('%s is a number', (_name, body, value, display) => {
    expect(readAnswer(200, body, Q)).toEqual({ value, display, noData: false });
  });

  it('several series are a list of numbers ordered by label set, whatever order they came in', () => {
    const body = ok('vector', [sample({ version: 'v2', pod: 'b' }, '3'), sample({ version: 'v1' }, '1'), sample({ version: 'v2', pod: 'a' }, '2')]);
    expect(readAnswer(200, body, Q)).toEqual({ value: [2, 3, 1], display: '[2, 3, 1]', noData: false });
  });

  it('an empty vector is no data: not zero, not an error', () => {
    expect(readAnswer(200, ok('vector', []), Q)).toEqual({ value: null, display: 'no data', noData: true });
  });

  it('a string result is its text', () => {
    expect(readAnswer(200, ok('string', [1, 'v2']), Q)).toEqual({ value: 'v2', display: '"v2"', noData: false });
  });

  it.each([
    [
      400,
      { status: 'error', errorType: 'bad_data', error: 'parse error: unexpected <EOF>' },
      'query',
      'Prometheus answered HTTP 400: bad_data: parse error: unexpected <EOF>',
    ],
    [
      422,
      { status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' },
      'query',
      'Prometheus answered HTTP 422: execution: many-to-many',
    ],
    [
      503,
      { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' },
      'server',
      'Prometheus answered HTTP 503: timeout: query timed out',
    ],
    [200, { status: 'error', errorType: 'internal', error: 'boom' }, 'server', 'Prometheus answered HTTP 200: internal: boom'],
  ])('HTTP %i with status error is an error naming the query', (status, body, kind, message) => {
    const reading = readAnswer(status, JSON.stringify(body), Q);
    expect(reading).toEqual({ error: { kind, message: expect.stringContaining(message) } });
    expect('error' in reading && reading.error.message).toMatch(/\(query: sum\(rate\(http_requests_total\{code=~"5\.\."\}\[1m\]\)\)\)$/);
  });

  it('a page that is not the API (a proxy’s 502, a login page) is an error quoting a little of it', () => {
    expect(readAnswer(502, '<html>Bad Gateway</html>', Q)).toEqual({
      error: {
        kind: 'answer',
        message: expect.stringMatching(/^the server answered HTTP 502 with "<html>Bad Gateway<\/html>", not the Prometheus API's JSON/),
      },
    });
    expect(readAnswer(200, 'null', Q)).toMatchObject({ error: { kind: 'answer' } });
  });

  it('a range vector is a query error that says how to fix it', () => {
    expect(readAnswer(200, ok('matrix', []), 'up[5m]')).toEqual({
      error: { kind: 'query', message: expect.stringMatching(/range vector.*wrap it.*\(query: up\[5m\]\)$/) },
    });
  });

  it('puts a multi-line query on one line in messages', () => {
    const reading = readAnswer(400, JSON.stringify({ status: 'error', error: 'x' }), 'sum(\n  rate(x[1m])\n)');
    expect('error' in reading && reading.error.message).toMatch(/\(query: sum\( rate\(x\[1m\]\) \)\)$/);
  });
});

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [0.5, '0.5'],
    [0.01, '0.01'],
    [0.00001234, '1.234e-5'],
    [123456.789, '123500'],
    [1e20, '1e+20'],
  ])('%f → %s', (value, text) => expect(formatNumber(value)).toBe(text));
});

describe('queryUrl', () => {
  it('keeps a path prefix, encodes the query, and asks Prometheus for a timeout under ours', () => {
    const url = new URL(queryUrl({ server: 'https://mimir.internal/prometheus/', query: 'up{job="a b"}', timeoutMs: 2_000 }, 1_700_000_000.25));
    expect(url.origin + url.pathname).toBe('https://mimir.internal/prometheus/api/v1/query');
    expect(url.searchParams.get('query')).toBe('up{job="a b"}');
    expect(url.searchParams.get('time')).toBe('1700000000.250');
    expect(url.searchParams.get('timeout')).toBe('1600ms');
  });

  it("gives a check's kept URL exactly as built afresh, for every time", () => {
    const servers = ['http://127.0.0.1:9090', 'https://user:pw@mimir.internal/prometheus/?x=1#top', 'http://[::1]:9090/a%20b/'];
    const queries = ['up', 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))', 'time=1234567.891 é & #'];
    for (const server of servers)
      for (const query of queries) {
        const check = {};
        for (const time of [1_700_000_000.25, 0, 1_234_567.891, 1_700_000_001.9999])
          expect(keptQueryUrl(check, { server, query, timeoutMs: 2_000 }, time)).toBe(queryUrl({ server, query, timeoutMs: 2_000 }, time));
      }
  });
});
