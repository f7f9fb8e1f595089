import { z } from 'zod';
import type { StateDocument } from './document.js';
import { migrateFromV1, type StateDocumentV1 } from './migrate.js';

/**
 * The state document (versions 1 and 2) as a reader may trust it: every field a command reads, with its
 * type, so a document that parses but holds bad values is refused naming the field instead of
 * crashing whoever reads it. Objects are loose (docs/versioning.md: readers ignore fields they do
 * not know, a minor release may add some). Fields added after the first release are optional: a
 * document written before them still loads. The closed sets (run and stage status) are checked.
 */
const str = z.string();
const strOrNull = z.string().nullable();
const numOrNull = z.number().nullable();
const outcome = z.enum(['pass', 'fail', 'inconclusive', 'error']);
const pollError = z.looseObject({ kind: str, message: str });

const measurement = z.looseObject({ at: str, outcome, value: z.unknown().optional(), display: str, condition: strOrNull, reason: strOrNull });
// Version 2 renamed what misled (migrate.ts): a check's `url` holds its description, a stage's `health` every check.
const checkFields = {
  name: str,
  kind: str.optional(),
  dryRun: z.boolean().optional(),
  counts: z.record(z.string(), z.number()).optional(),
  consecutiveErrors: z.number().optional(),
  last: measurement.nullable().optional(),
  lastBad: measurement.nullable().optional(),
  recent: z.array(measurement).optional(),
  verdict: outcome.nullable().optional(),
  verdictReason: strOrNull.optional(),
  polls: z.number(),
  failures: z.number(),
  consecutiveFailures: z.number(),
  lastOk: z.boolean().nullable(),
  lastStatus: numOrNull,
  lastLatencyMs: numOrNull,
  lastError: pollError.nullable(),
  lastPolledAt: strOrNull,
};
const checkV1 = z.looseObject({ ...checkFields, url: str });
const checkV2 = z.looseObject({ ...checkFields, description: str });
const results = (check: typeof checkV1 | typeof checkV2) =>
  z.looseObject({ polls: z.number(), failures: z.number(), lastError: strOrNull, checks: z.array(check), inconclusive: z.array(str).optional() });

const processGroup = z.looseObject({ pgid: z.number().int(), startTicks: str, machine: str, host: str, command: str, unit: str.optional() });

const stageFields = {
  name: str,
  status: z.enum(['pending', 'deploying', 'soaking', 'succeeded', 'failed', 'rolling_back', 'rolled_back', 'rollback_failed', 'skipped']),
  step: z.enum(['window', 'deploy', 'soak', 'batches', 'pause', 'gate', 'done']).optional(),
  startedAt: strOrNull,
  finishedAt: strOrNull,
  deploy: z.looseObject({ command: strOrNull, exitCode: numOrNull, signal: strOrNull, timedOut: z.boolean(), durationMs: numOrNull }),
  soak: z.looseObject({ ms: numOrNull, startedAt: strOrNull }),
  rollback: z.looseObject({ command: strOrNull, exitCode: numOrNull, durationMs: numOrNull, timedOut: z.boolean(), skipped: strOrNull }),
};
const stageV1 = z.looseObject({ ...stageFields, health: results(checkV1) });
// A fleet stage's targets (added after 0.1.0, so optional): the same records per target.
const target = z.looseObject({
  name: str,
  batch: z.number().int().positive(),
  status: z.enum(['pending', 'deploying', 'verifying', 'soaking', 'updated', 'failed', 'rolling_back', 'rolled_back', 'rollback_failed', 'skipped']),
  startedAt: strOrNull,
  finishedAt: strOrNull,
  attempts: z.number().int().nonnegative(),
  reason: strOrNull,
  failed: z.boolean(),
  deploy: stageFields.deploy,
  verify: z.looseObject({ ok: z.boolean(), output: str, expected: strOrNull }).nullable(),
  checkResults: results(checkV2),
  rollback: stageFields.rollback,
});
const fleet = z.looseObject({ batches: z.number().int().nonnegative(), batch: z.number().int().nonnegative(), finished: z.number().int().nonnegative() });
const stageV2 = z.looseObject({ ...stageFields, checkResults: results(checkV2), fleet: fleet.optional(), targets: z.array(target).optional() });

const gate = z.looseObject({
  id: str,
  stage: str,
  index: z.number(),
  reason: str,
  kind: z.enum(['approval', 'inconclusive', 'window']),
  rule: str.optional(),
  nextOpenAt: strOrNull.optional(),
  createdAt: str,
  expiresAt: strOrNull,
  onTimeout: z.enum(['abort', 'fail']),
  nonce: str,
  planSha256: str,
  decision: z.looseObject({ decision: z.enum(['promote', 'abort', 'fail']), by: str, reason: strOrNull, at: str }).nullable(),
});

const documentFields = {
  runId: str.min(1),
  lineage: str,
  serial: z.number().int().nonnegative(),
  plan: z.looseObject({ name: str, path: str, sha256: str, vars: z.record(z.string(), z.string()).optional() }),
  status: z.enum(['running', 'succeeded', 'failed', 'rolled_back', 'rollback_failed', 'interrupted', 'blocked', 'paused']),
  interruptedBy: strOrNull,
  resumes: z.number(),
  startedAt: str,
  updatedAt: str,
  finishedAt: strOrNull,
  failure: z.looseObject({ stage: str, reason: str, check: strOrNull.optional(), value: strOrNull.optional() }).nullable(),
  blocked: z.looseObject({ stage: str, rule: str, nextOpenAt: strOrNull, message: str }).nullable().optional(),
  gate: gate.nullable().optional(),
  windowOverrides: z.array(z.looseObject({ stage: str, rule: str, reason: str, by: str, at: str })).optional(),
  rollback: z.looseObject({ command: str, exitCode: numOrNull, durationMs: numOrNull, timedOut: z.boolean() }).nullable(),
  by: strOrNull.optional(),
  processGroups: z.array(processGroup).optional(),
  processGroup: processGroup.nullable().optional(),
  rolloutctlVersion: str.optional(),
  inventory: z.array(z.looseObject({ name: str, attributes: z.record(z.string(), z.string()) })).optional(),
};
/** Version 1: written by 0.1.0 (read, then migrated to version 2 in memory: migrate.ts). */
export const stateDocumentV1Schema = z.looseObject({ ...documentFields, version: z.literal(1), stages: z.array(stageV1) });
export const stateDocumentSchema = z.looseObject({ ...documentFields, version: z.literal(2), stages: z.array(stageV2) });

/** At most this many problems are named; the rest are counted. */
const MAX_PROBLEMS = 5;

/**
 * The document if it is a valid state document of version 1 (migrated to 2, in place) or 2; else each
 * problem as `json.path: what is wrong`, named as the document has it.
 */
export function validateStateDocument(value: unknown): { ok: true; doc: StateDocument } | { ok: false; problems: string[] } {
  const v1 = (value as { version?: unknown }).version === 1;
  const result = (v1 ? stateDocumentV1Schema : stateDocumentSchema).safeParse(value, { reportInput: true });
  // The original object, not zod's copy: what is stored again is exactly what was read (migrated).
  if (result.success) return { ok: true, doc: v1 ? migrateFromV1(value as StateDocumentV1) : (value as StateDocument) };
  const issues = result.error.issues;
  const problems = issues.slice(0, MAX_PROBLEMS).map((issue) => `${jsonPath(issue.path)}: ${describeIssue(issue)}`);
  if (issues.length > MAX_PROBLEMS) problems.push(`… and ${issues.length - MAX_PROBLEMS} more`);
  return { ok: false, problems };
}

function jsonPath(path: PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out === '' ? '(the document)' : out.slice(out.startsWith('.') ? 1 : 0);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, found ${issue.input === undefined ? 'nothing' : quote(issue.input)}`;
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${quote(issue.input)}`;
  return issue.message;
}

/** A found value as JSON (control characters escaped), cut short. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
