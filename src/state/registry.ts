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
  /** Does this backend own the location? */
  matches: (location: string) => boolean;
  /** Loaded lazily: a run on the local file never loads a database client. */
  open: (location: string, options: BackendOptions) => Promise<StateBackend>;
}

/** Adding a store = one folder + one line here. Anything no entry claims is a local file path. */
const BACKENDS: BackendEntry[] = [
  { matches: (l) => /^postgres(ql)?:\/\//i.test(l), open: async (l, o) => (await import('./postgres/postgres-backend.js')).openPostgresBackend(l, o) },
];

export function isRemoteLocation(location: string): boolean {
  return BACKENDS.some((entry) => entry.matches(location));
}

export async function openBackend(location: string, options: BackendOptions): Promise<StateBackend> {
  const entry = BACKENDS.find((e) => e.matches(location));
  if (entry) return entry.open(location, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new InputError(`state location ${location.replace(/\/\/[^@/]*@/, '//')} is not supported: use a file path or postgres://…`);
  }
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
