import { join, resolve } from 'node:path';
import type { Clock } from '../clock.js';
import { InputError } from '../errors.js';
import type { StateBackend } from './backend.js';
import { FileBackend } from './file/file-backend.js';

/** What opening a backend may need; each backend takes what it uses. */
export interface BackendOptions {
  /** The record's key where one store holds many plans (the plan's `key:`, else its name). */
  key: string | null;
  env: Readonly<Record<string, string | undefined>>;
  host: string;
  clock: Clock;
  /** Resolves a relative file path (the plan's directory, or the working directory for `--state`). */
  baseDir: string;
}

interface BackendEntry {
  /** The URL schemes this backend owns (`postgres` for postgres://…), lower case. */
  schemes: string[];
  /** Loaded lazily: a run on the local file never loads a database client. */
  open: (location: string, options: BackendOptions) => Promise<StateBackend>;
}

/**
 * Adding a store = one folder + one line here. This is the only place that knows location schemes:
 * a location with a scheme no entry owns is refused (by `--state`, `ROLLOUT_STATE` and the plan's
 * `state:` alike); one without a scheme is a local file path.
 */
const BACKENDS: BackendEntry[] = [
  { schemes: ['postgres', 'postgresql'], open: async (l, o) => (await import('./postgres/postgres-backend.js')).openPostgresBackend(l, o) },
];

function schemeOf(location: string): string | null {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase() ?? null;
}

function entryFor(location: string): BackendEntry | undefined {
  const scheme = schemeOf(location);
  return scheme === null ? undefined : BACKENDS.find((entry) => entry.schemes.includes(scheme));
}

export function isRemoteLocation(location: string): boolean {
  return entryFor(location) !== undefined;
}

/** Why no store takes a location with a scheme (`s3://…`), naming the supported ones; null when one does. */
export function unsupportedLocation(location: string): string | null {
  const scheme = schemeOf(location);
  if (scheme === null || entryFor(location) !== undefined) return null;
  const supported = BACKENDS.flatMap((entry) => entry.schemes.map((s) => `${s}://…`));
  return `no state store takes ${scheme}:// locations; use a file path or ${supported.join(' or ')}`;
}

export async function openBackend(location: string, options: BackendOptions): Promise<StateBackend> {
  const entry = entryFor(location);
  if (entry) return entry.open(location, options);
  const unsupported = unsupportedLocation(location);
  if (unsupported !== null) throw new InputError(`state location ${location.replace(/\/\/[^@/]*@/, '//')}: ${unsupported}`);
  return new FileBackend(resolve(options.baseDir, location), { host: options.host, clock: options.clock, keep: historyKeep(options.env) });
}

/** How many past runs the local backend keeps (`ROLLOUT_HISTORY_KEEP`, default 50). */
function historyKeep(env: BackendOptions['env']): number {
  const raw = env.ROLLOUT_HISTORY_KEEP;
  if (raw === undefined || raw === '') return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`ROLLOUT_HISTORY_KEEP=${raw}: expected a whole number of runs, at least 1`);
  return n;
}

/** Where a run whose state is shared keeps what stays on its runner (the event log for reports). */
export function localEventLogAnchor(planDir: string): string {
  return join(planDir, '.rollout', 'state.json');
}
