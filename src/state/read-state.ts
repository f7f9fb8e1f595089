import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { StateDocument } from './document.js';
import { CHOOSE_ANOTHER_PATH } from './ensure-directory.js';

/** Reads a state file; `null` when there is none. A damaged file is an error, never silently replaced. */
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
  throw new InputError(damagedMessage(path, parsed.problem));
}

type Parsed = { ok: true; doc: StateDocument } | { ok: false; problem: string };

/** Parses a state document's text; what is wrong with it otherwise. */
export function parseStateText(text: string): Parsed {
  return parseState(text);
}

function parseState(text: string): Parsed {
  if (text.trim() === '') return { ok: false, problem: 'the file is empty' };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not valid JSON: ${(error as Error).message}` };
  }
  const d = doc as Partial<StateDocument> | null;
  if (d === null || typeof d !== 'object' || d.version !== 1 || !Array.isArray(d.stages) || typeof d.runId !== 'string') {
    return { ok: false, problem: 'not a rolloutctl state document (version 1)' };
  }
  return { ok: true, doc: d as StateDocument };
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
      : `The backup ${backup} is damaged too (${parsed.problem}).`;
  return (
    `state file ${path} is damaged (${problem}); it was left exactly as it is. ${about} ` +
    `Otherwise restore the state from your CI artifacts, or move it aside to start over (the record of what is deployed is then lost).`
  );
}
