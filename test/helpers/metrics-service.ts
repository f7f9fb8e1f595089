// The service lives in bench/lib (plain JS, typed by its .d.ts) so the benchmarks scrape the same one.
export { LATENCY_BUCKETS, type MetricsService, startMetricsService, type Traffic } from '../../bench/lib/metrics-service.js';
