/**
 * A small service exporting request metrics the way instrumented apps do, with a built-in load
 * generator the caller steers per version. Shared by the tests (through test/helpers/metrics-service.ts)
 * and the benchmarks; types and the full description in metrics-service.d.ts.
 */
import http from 'node:http';
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const TICK_MS = 50;
export async function startMetricsService({ labels = {} } = {}) {
  const extra = Object.entries(labels)
    .map(([name, value]) => `${name}=${JSON.stringify(value)},`)
    .join('');
  const versions = new Map();
  const generate = setInterval(() => {
    for (const series of versions.values()) serve(series, TICK_MS / 1000);
  }, TICK_MS);
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(versions, extra));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    target: `127.0.0.1:${port}`,
    setTraffic(version, traffic) {
      const series = versions.get(version);
      if (series) series.traffic = { ...traffic };
      else
        versions.set(version, {
          traffic: { ...traffic },
          requests: {},
          buckets: LATENCY_BUCKETS.map(() => 0),
          sum: 0,
          count: 0,
          carry: { requests: 0, errors: 0 },
          spread: 0,
        });
    },
    counts: (version) => ({ ...versions.get(version)?.requests }),
    async close() {
      clearInterval(generate);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
function serve(series, seconds) {
  const { rps, errorRate, latencyMs } = series.traffic;
  series.carry.requests += rps * seconds;
  const requests = Math.floor(series.carry.requests);
  series.carry.requests -= requests;
  for (let i = 0; i < requests; i++) {
    series.carry.errors += errorRate;
    const failed = series.carry.errors >= 1;
    if (failed) series.carry.errors -= 1;
    const code = failed ? '500' : '200';
    series.requests[code] = (series.requests[code] ?? 0) + 1;
    // Evenly over 0.6…1.4 × latency, cycling through 20 steps.
    series.spread = (series.spread + 1) % 20;
    const latency = (latencyMs * (0.6 + (0.8 * series.spread) / 19)) / 1000;
    series.sum += latency;
    series.count++;
    LATENCY_BUCKETS.forEach((le, b) => {
      if (latency <= le) series.buckets[b] = (series.buckets[b] ?? 0) + 1;
    });
  }
}
function exposition(versions, extra) {
  const lines = ['# HELP http_requests_total Requests served, by version and status code.', '# TYPE http_requests_total counter'];
  for (const [version, series] of versions) {
    for (const [code, n] of Object.entries(series.requests)) lines.push(`http_requests_total{${extra}version="${version}",code="${code}"} ${n}`);
  }
  lines.push('# HELP http_request_duration_seconds Request latency.', '# TYPE http_request_duration_seconds histogram');
  for (const [version, series] of versions) {
    LATENCY_BUCKETS.forEach((le, b) => {
      lines.push(`http_request_duration_seconds_bucket{${extra}version="${version}",le="${le}"} ${series.buckets[b]}`);
    });
    lines.push(`http_request_duration_seconds_bucket{${extra}version="${version}",le="+Inf"} ${series.count}`);
    lines.push(`http_request_duration_seconds_sum{${extra}version="${version}"} ${series.sum}`);
    lines.push(`http_request_duration_seconds_count{${extra}version="${version}"} ${series.count}`);
  }
  return `${lines.join('\n')}\n`;
}
