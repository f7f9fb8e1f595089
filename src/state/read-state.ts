import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { version as ourVersion } from '../version.js';
import type { StateDocument } from './document.js';
import { validateStateDocument } from './document-schema.js';

import { CHOOSE_ANOTHER_PATH } from './ensure-directory.js';

/** The state document version this release writes; it reads this one and version 1 (migrate.ts). */
const STATE_VERSION = 2;

/** Reads a state file; `null` when there is none. A damaged or newer file is an error, never silently replaced. */
export function readState(path: string): StateDocument | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(
      `cannot read state file ${path}: ${(error as Error).message}. Check the path, and that this user may read it; or ${CHOOSE_ANOTHER_PATH}.`,
    );
  }
  const parsed = parseState(text);
  if (parsed.ok) return parsed.doc;
  if (parsed.newer) throw new InputError(`state file ${path} ${parsed.problem}`);
  throw new InputError(damagedMessage(path, parsed.problem));
}

/** `newer`: written by a newer rolloutctl, which this one must not touch (its `.bak` is no cure). */
export type Parsed = { ok: true; doc: StateDocument } | { ok: false; problem: string; newer: boolean };

/** Parses a state document's text; what is wrong with it otherwise. */
export function parseStateText(text: string): Parsed {
  return parseState(text);
}

function parseState(text: string): Parsed {
  if (text.trim() === '') return { ok: false, problem: 'the file is empty', newer: false };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not valid JSON: ${(error as Error).message}`, newer: false };
  }
  return checkStateValue(doc);
}

/**
 * Checks a parsed document (a file's, or a database row's) against the schema of its version
 * (document-schema.ts; version 1 is migrated to 2). A newer document version, or invalid values from a newer rolloutctl, is
 * said as such: this release cannot judge it.
 */
export function checkStateValue(value: unknown): Parsed {
  const d = value as { version?: unknown; runId?: unknown; stages?: unknown; rolloutctlVersion?: unknown } | null;
  if (d === null || typeof d !== 'object' || Array.isArray(d) || (d.version === undefined && d.runId === undefined && d.stages === undefined)) {
    return { ok: false, problem: `not a rolloutctl state document (version ${STATE_VERSION})`, newer: false };
  }
  const writer = typeof d.rolloutctlVersion === 'string' ? d.rolloutctlVersion : null;
  if (typeof d.version === 'number' && d.version > STATE_VERSION) return { ok: false, problem: newerProblem(d.version, writer), newer: true };
  const valid = validateStateDocument(value);
  if (valid.ok) return valid;
  if (writer !== null && isNewer(writer, ourVersion))
    return { ok: false, problem: newerProblem(typeof d.version === 'number' ? d.version : STATE_VERSION, writer), newer: true };
  return { ok: false, problem: `invalid values: ${valid.problems.join('; ')}`, newer: false };
}

/** Follows "state file X" / "the record for key K": one sentence on who wrote it and what to do. */
function newerProblem(docVersion: number, writer: string | null): string {
  const by = writer ? `rolloutctl ${writer}` : 'a newer rolloutctl';
  const use = writer ? `\`npx rolloutctl@${writer} …\` (or newer)` : `a rolloutctl that reads state version ${docVersion}`;
  return (
    `was written by ${by} (state document version ${docVersion}); this is rolloutctl ${ourVersion}, which reads state document versions 1 and 2 only. ` +
    `It was left exactly as it is (do not restore an older backup over it: that would lose the newer record). Use ${use} for this state.`
  );
}

/** Whether dotted version `a` is newer than `b` (numeric parts; a pre-release tag is ignored). */
export function isNewer(a: string, b: string): boolean {
  const parts = (v: string) =>
    v
      .split(/[-+]/)[0]
      ?.split('.')
      .map((n) => Number.parseInt(n, 10) || 0) ?? [];
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return false;
}

/** Names the file, the backup and what is in it, and how to recover: one paragraph. */
function damagedMessage(path: string, problem: string): string {
  const backup = `${path}.bak`;
  let text: string | undefined;
  try {
    text = readFileSync(backup, 'utf8');
  } catch {}
  const parsed = text === undefined ? undefined : parseState(text);
  const about = !parsed
    ? `There is no backup (${backup}).`
    : parsed.ok
      ? `The previous good snapshot is ${backup} (run ${parsed.doc.runId}, status ${parsed.doc.status}, serial ${parsed.doc.serial ?? '?'}): ` +
        `if it looks right, restore it with \`cp ${backup} ${path}\`.`
      : parsed.newer
        ? `The backup ${backup} ${parsed.problem}`
        : `The backup ${backup} is damaged too (${parsed.problem}).`;
  return (
    `state file ${path} is damaged (${problem}); it was left exactly as it is. ${about} ` +
    `Otherwise restore the state from your CI artifacts, correct it by hand, or move it aside to start over (the record of what is deployed is then lost).`
  );
}
