import type { CheckState, StageState, StateDocument } from './document.js';

/** A check's summary as version 1 (0.1.0) wrote it: its description under `url`. */
type CheckStateV1 = Omit<CheckState, 'description'> & { url: string };
type StageStateV1 = Omit<StageState, 'checkResults'> & { health: Omit<StageState['checkResults'], 'checks'> & { checks: CheckStateV1[] } };
export type StateDocumentV1 = Omit<StateDocument, 'version' | 'stages'> & { version: 1; stages: StageStateV1[] };

/**
 * Version 1 → 2, in place (the object read is the one stored again): a stage's `health` (which held
 * every check, not only health endpoints) is `checkResults`, a check's `url` (which held its
 * description, `run: ./smoke.sh` too) is `description`. Nothing else changed. Written back, the
 * document is version 2, which 0.1.0 refuses as newer (it reads version 1 only).
 */
export function migrateFromV1(doc: StateDocumentV1): StateDocument {
  const loose = doc as unknown as Record<string, unknown> & { stages: Record<string, unknown>[] };
  for (const stage of loose.stages) {
    const results = stage.health as { checks: Record<string, unknown>[] };
    for (const check of results.checks) {
      check.description = check.url;
      delete check.url;
    }
    stage.checkResults = results;
    delete stage.health;
  }
  loose.version = 2;
  return doc as unknown as StateDocument;
}
