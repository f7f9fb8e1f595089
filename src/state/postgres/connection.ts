import pg from 'pg';
import { StateUnavailableError } from '../errors.js';

export type Query = (text: string, params?: unknown[]) => Promise<pg.QueryResult>;

export interface ConnectionOptions {
  config: pg.ClientConfig;
  /** How long to keep retrying a dropped connection before giving up (the lease TTL: past it, the lease is gone anyway). */
  retryMs: number;
  /** Removes passwords from anything we say. */
  redact: (message: string) => string;
  display: string;
  /** Said once per outage, when a dropped connection is retried. */
  warn?: (message: string) => void;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

/**
 * One connection to the database that survives being dropped: a query that fails because the
 * connection went away (server restart, pg_terminate_backend, network) is retried on a new
 * connection with bounded exponential backoff, for up to `retryMs`. SQL errors are not retried.
 */
export class Connection {
  private client: pg.Client | null = null;

  constructor(private readonly options: ConnectionOptions) {}

  /** The first connection: no retry, so an unreachable database fails fast (exit 2, nothing ran). */
  async open(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      throw new StateUnavailableError(`cannot reach the state database ${this.options.display}: ${this.options.redact(messageOf(error))}. Nothing was run.`, 2);
    }
  }

  query: Query = async (text, params) => this.withRetry(async () => (await this.connect()).query(text, params));

  /** Runs `fn` in a transaction; retried as a whole only when the connection dropped before COMMIT returned. */
  async transaction<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    return this.withRetry(async () => {
      const client = await this.connect();
      const q: Query = (text, params) => client.query(text, params);
      await q('BEGIN');
      try {
        const result = await fn(q);
        await q('COMMIT');
        return result;
      } catch (error) {
        await q('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private async withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    let started: number | null = null;
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        this.drop();
        started ??= Date.now();
        if (backoff === FIRST_BACKOFF_MS)
          this.options.warn?.(`lost the connection to ${this.options.display} (${this.options.redact(messageOf(error))}); reconnecting`);
        if (Date.now() - started + backoff > this.options.retryMs) {
          throw new StateUnavailableError(
            `the state database ${this.options.display} could not be reached for ${Math.round((Date.now() - started) / 1000)}s: ${this.options.redact(messageOf(error))}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.options.config);
    // An idle connection cut by the server emits 'error': note it, and reconnect on next use.
    client.on('error', () => {
      if (this.client === client) this.client = null;
    });
    try {
      await client.connect();
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = null;
    client?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

/** Errors that mean "the connection is gone", as opposed to an SQL error the server answered with. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(08|57P)/.test(code)) return true; // connection exception, admin shutdown
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE …
  const message = messageOf(error);
  return /Connection terminated|not queryable|Query read timeout|timeout expired|ECONNRESET|socket/i.test(message);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
