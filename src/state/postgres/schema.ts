import type { Connection } from './connection.js';

/** Bumped when the tables change; a later release migrates from the version it finds. */
export const SCHEMA_VERSION = 1;

/**
 * Creates the tables on first use, under an advisory lock so two runners starting at once do not
 * race on CREATE. A schema written by a newer release is refused rather than misread.
 */
export async function ensureSchema(db: Connection, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await db.transaction(async (q) => {
    await q(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`rolloutctl:${schema}`]);
    await q(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await q(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const found = await q(`SELECT max(version) AS version FROM ${s}.schema_version`);
    const version = (found.rows[0]?.version as number | null) ?? 0;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `the tables in schema ${schema} were created by a newer rolloutctl (schema version ${version}, this one knows ${SCHEMA_VERSION}): upgrade rolloutctl`,
      );
    }
    if (version === SCHEMA_VERSION) return;
    for (const statement of tables(s)) await q(statement);
    await q(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [SCHEMA_VERSION]);
  });
}

function tables(s: string): string[] {
  return [
    // The current run's document per key: compare-and-swap on (lineage, serial).
    `CREATE TABLE IF NOT EXISTS ${s}.state (
      key text PRIMARY KEY,
      run_id text NOT NULL,
      lineage text NOT NULL,
      serial bigint NOT NULL,
      doc jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now())`,
    // Every run ever recorded per key (history), kept in step with `state` by the same statement.
    `CREATE TABLE IF NOT EXISTS ${s}.runs (
      key text NOT NULL,
      run_id text NOT NULL,
      lineage text NOT NULL,
      serial bigint NOT NULL,
      status text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      failed_stage text,
      started_by text,
      doc jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (key, run_id))`,
    `CREATE INDEX IF NOT EXISTS runs_by_start ON ${s}.runs (key, started_at DESC)`,
    // The lock: one lease row per key. `fence` grows on every acquisition and is never reset.
    `CREATE TABLE IF NOT EXISTS ${s}.leases (
      key text PRIMARY KEY,
      run_id text NOT NULL,
      holder jsonb NOT NULL,
      fence bigint NOT NULL,
      acquired_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      released boolean NOT NULL DEFAULT false)`,
  ];
}
