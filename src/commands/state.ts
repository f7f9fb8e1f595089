import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isoTime } from '../clock.js';
import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { StateBackend } from '../state/backend.js';
import { storedRecord } from '../state/backend.js';
import type { StateDocument } from '../state/document.js';
import { KernelFilesystemError } from '../state/ensure-directory.js';
import { currentIdentity } from '../state/identity.js';
import { parseStateText } from '../state/read-state.js';
import { openBackend } from '../state/registry.js';
import { locateState, type StateFlags } from './locate-state.js';

export interface PullOptions extends StateFlags {
  run?: string;
  out?: string;
}

/** `rollout state pull`: the current document (or `--run ID`) on stdout, or saved to `--out FILE`. */
export async function statePull(options: PullOptions, ctx: Context): Promise<number> {
  const backend = await locateState(options, ctx);
  try {
    const doc = options.run === undefined ? await backend.read() : await backend.readRun(options.run);
    if (!doc) throw new InputError(`no ${options.run === undefined ? 'state' : `run ${options.run}`} in ${backend.location}`);
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (options.out === undefined) ctx.term.out.write(text);
    else {
      const out = resolve(ctx.cwd, options.out);
      try {
        writeFileAtomic(out, text);
      } catch (error) {
        if (!(error instanceof KernelFilesystemError) && typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
        throw new InputError(`cannot write ${out} (${(error as Error).message}): choose another --out, or print the document without it.`);
      }
      ctx.term.err.write(`Saved run ${doc.runId} (serial ${doc.serial}) to ${options.out}\n`);
    }
    return 0;
  } finally {
    await backend.close();
  }
}

export interface PushOptions extends StateFlags {
  force?: boolean;
  reason?: string;
}

/**
 * `rollout state push FILE`: makes a saved document (e.g. the fallback a run wrote when the store
 * was unreachable) the current record. Under the lock, and compare-and-swap: a document from
 * another run (lineage) or older than what is stored is refused unless `--force --reason`.
 */
export async function statePush(file: string, options: PushOptions, ctx: Context): Promise<number> {
  if (options.force && !options.reason) throw new InputError('--force needs --reason "why": it replaces a record that may be newer');
  const path = resolve(ctx.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = parseStateText(text);
  if (!parsed.ok && parsed.newer) throw new InputError(`${path} ${parsed.problem} Nothing was pushed.`);
  if (!parsed.ok)
    throw new InputError(`${path} is not a valid state document (${parsed.problem}); nothing was pushed. Correct it, or push another saved copy.`);
  const doc = parsed.doc;
  const backend = await locateState(options, ctx);
  try {
    return await underLock(backend, ctx, 'rollout state push', async () => {
      let current: StateDocument | null;
      try {
        current = await backend.read();
      } catch (error) {
        // A stored record this release cannot read (damaged, or newer) is replaced only on purpose.
        if (!(error instanceof InputError) || !options.force) throw error;
        await backend.replace(doc);
        ctx.term.out.write(
          `Pushed run ${doc.runId} (status ${doc.status}) to ${backend.location} over a record it could not read (forced; reason: ${options.reason}).\n`,
        );
        return 0;
      }
      const refusal = pushRefusal(doc, current);
      if (refusal && !options.force) throw new InputError(`${refusal}; nothing was written. If this document is right, pass --force --reason "…".`);
      doc.serial = Math.max(doc.serial, current?.serial ?? 0) + 1;
      await backend.write(storedRecord(doc, `${JSON.stringify(doc, null, 2)}\n`), current ? { lineage: current.lineage, serial: current.serial } : null);
      const forced = refusal ? ` (forced: ${refusal}; reason: ${options.reason})` : '';
      ctx.term.out.write(`Pushed run ${doc.runId} (status ${doc.status}) to ${backend.location}, serial ${doc.serial}${forced}.\n`);
      return 0;
    });
  } finally {
    await backend.close();
  }
}

function pushRefusal(doc: StateDocument, current: StateDocument | null): string | null {
  if (!current) return null;
  if (current.lineage !== doc.lineage) return `the stored record is another run (${current.runId}, lineage ${current.lineage.slice(0, 8)}…) than ${doc.runId}`;
  if (doc.serial < current.serial) return `the document (serial ${doc.serial}) is older than the stored record (serial ${current.serial})`;
  return null;
}

export interface MigrateOptions extends StateFlags {
  to: string;
  force?: boolean;
}

/** `rollout state migrate --to URL`: copies this state, history included, into another store (e.g. local → PostgreSQL). */
export async function stateMigrate(options: MigrateOptions, ctx: Context): Promise<number> {
  const source = await locateState(options, ctx);
  try {
    const runs = await source.history(100_000);
    const current = await source.read();
    if (!current) throw new InputError(`no state in ${source.location}: nothing to migrate`);
    const key = options.key ?? current.plan.name;
    const target = await openBackend(options.to, { key, env: ctx.env, host: ctx.host, clock: ctx.clock, baseDir: ctx.cwd });
    try {
      return await underLock(target, ctx, 'rollout state migrate', async () => {
        const existing = await target.read();
        if (existing && !options.force)
          throw new InputError(`${target.location} already holds a record for key ${key} (run ${existing.runId}); pass --force to add this history to it.`);
        // Oldest first, the current run last, so it ends up as the current record.
        for (const summary of [...runs].reverse()) {
          if (summary.runId === current.runId) continue;
          const doc = await source.readRun(summary.runId);
          if (doc) await target.replace(doc);
        }
        await target.replace(current);
        ctx.term.out.write(`Migrated ${runs.length} run(s) from ${source.location} to ${target.location} (key ${key}); current run ${current.runId}.\n`);
        ctx.term.out.write(
          `Use it with \`state: ${options.to.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}\` and \`key: ${key}\` in the plan, or --state/--key.\n`,
        );
        return 0;
      });
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

async function underLock<T>(backend: StateBackend, ctx: Context, command: string, work: () => Promise<T>): Promise<T> {
  const now = isoTime(ctx.clock.now());
  const identity = currentIdentity(ctx.pid);
  const lock = await backend.lock(
    {
      runId: `${command.split(' ').pop()}-${identity.token}`,
      pid: ctx.pid,
      host: ctx.host,
      startedAt: now,
      command,
      heartbeatAt: now,
      token: identity.token,
      ...(identity.machine ? { machine: identity.machine } : {}),
      ...(identity.pidStart ? { pidStart: identity.pidStart } : {}),
    },
    { warn: (message) => ctx.term.err.write(`warning: ${message}\n`), now: () => ctx.clock.now(), waitMs: 0, sleep: (ms) => ctx.clock.sleep(ms) },
  );
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
