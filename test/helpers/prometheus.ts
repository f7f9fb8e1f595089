// The harness lives in bench/lib (plain JS, typed by its .d.ts) so the benchmarks start the same real Prometheus.
export { PROMETHEUS_MISSING, prometheusBinary, type QueryResult, startPrometheus, type TestPrometheus } from '../../bench/lib/prometheus.js';
