import { InputError } from '../../errors.js';
import { parseDuration } from '../../plan/duration.js';

/** A postgres:// state location, taken apart: what pg connects with, and what we configure. */
export interface PostgresLocation {
  /** For pg: our own parameters removed, `${env.X}` filled in. Holds the password: never print it. */
  connectionString: string;
  /** For messages: no password, ever. */
  display: string;
  schema: string;
  leaseTtlMs: number;
  /** Every secret that could appear in a message (the URL's password, PGPASSWORD). */
  secrets: string[];
}

export const DEFAULT_LEASE_TTL_MS = 30_000;

/**
 * `postgres://user:${env.PGPASS}@host:5432/db?schema=rollout&leaseTtl=30s`. The password may come
 * from the URL (best through `${env.X}`, so the plan holds no secret), PGPASSWORD or ~/.pgpass.
 */
export function parsePostgresLocation(raw: string, env: Readonly<Record<string, string | undefined>>): PostgresLocation {
  const missing: string[] = [];
  const text = raw.replace(/\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) missing.push(name);
    return encodeURIComponent(value ?? '');
  });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`state location ${redactUrlText(raw)} is not a valid postgres:// URL`);
  }
  const secrets = [decodeURIComponent(url.password), url.password, env.PGPASSWORD ?? ''].filter((s) => s.length >= 3);
  const display = displayUrl(url);
  if (missing.length > 0) throw new InputError(`state location ${display} uses \${env.${missing[0]}}, which is not set`);
  const schema = url.searchParams.get('schema') ?? 'rollout';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw new InputError(`state location ${display}: schema=${schema} must be a plain SQL name (letters, digits, _)`);
  const ttlText = url.searchParams.get('leaseTtl') ?? env.ROLLOUT_LEASE_TTL;
  const leaseTtlMs = ttlText === undefined ? DEFAULT_LEASE_TTL_MS : parseDuration(ttlText);
  if (leaseTtlMs === undefined || leaseTtlMs < 1000) throw new InputError(`lease TTL ${ttlText}: expected a duration of at least 1s, like 30s`);
  url.searchParams.delete('schema');
  url.searchParams.delete('leaseTtl');
  return { connectionString: url.toString(), display, schema, leaseTtlMs, secrets };
}

function displayUrl(url: URL): string {
  const copy = new URL(url.toString());
  copy.password = '';
  return copy.toString();
}

/** For a location too broken to parse: drop anything between `//` and `@`. */
export function redactUrlText(text: string): string {
  return text.replace(/\/\/[^@/]*@/, (m) => `//${m.slice(2, -1).split(':')[0]}@`);
}

/** Removes every secret from a message (errors from pg, our own). */
export function redactSecrets(message: string, secrets: string[]): string {
  let out = redactUrlText(message);
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}
