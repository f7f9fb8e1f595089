/** What the load generator sends one version: requests a second, the share that fail (5xx), and their latency. */
export interface Traffic {
  rps: number;
  errorRate: number;
  latencyMs: number;
}
/**
 * A small service that exports request metrics the way instrumented apps do, for Prometheus to scrape:
 * `http_requests_total{version,code}` and the histogram `http_request_duration_seconds{version}`.
 * Its built-in load generator "serves" traffic to each version as the test sets it (`setTraffic`),
 * every 50 ms: errors are exactly `errorRate` of requests over time (a fractional carry, no dice), and
 * latencies spread evenly over ±40 % of `latencyMs`, so a quantile of the histogram lands near it.
 */
export interface MetricsService {
  port: number;
  /** `host:port` for a scrape config. */
  target: string;
  setTraffic(version: string, traffic: Traffic): void;
  /** Requests counted so far for a version, by status code. */
  counts(version: string): Record<string, number>;
  close(): Promise<void>;
}
export declare const LATENCY_BUCKETS: readonly [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** `labels` are added to every series, e.g. `{ service: 'shop-api' }`. */
export declare function startMetricsService(options?: { labels?: Record<string, string> }): Promise<MetricsService>;
