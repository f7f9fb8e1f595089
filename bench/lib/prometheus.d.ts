/**
 * A real Prometheus (Debian's `prometheus` package) on a free loopback port with its own config and
 * a throwaway data directory, scraping the given targets every second. Missing binary: the test
 * fails saying what to install — it never skips.
 */
export interface TestPrometheus {
  url: string;
  port: number;
  /** Instant query through the HTTP API; the parsed `data` (throws on a Prometheus error). */
  query(promql: string): Promise<{
    resultType: string;
    result: unknown;
  }>;
  /** Polls `promql` until `accept` holds for its result (e.g. rate() windows filled), at most `limitMs`. */
  waitFor(promql: string, accept: (result: QueryResult) => boolean, limitMs?: number): Promise<void>;
  /** Stops the server, keeping its data (the "Prometheus went away mid-soak" case). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}
export type QueryResult = {
  metric: Record<string, string>;
  value: [number, string];
}[];
export declare const PROMETHEUS_MISSING = 'install prometheus (apt-get install prometheus): the Prometheus tests start a real one';
/** `PROMETHEUS_BIN`, else `prometheus` on the PATH. */
export declare function prometheusBinary(env?: Readonly<Record<string, string | undefined>>): string;
export declare function startPrometheus(targets: string[]): Promise<TestPrometheus>;
