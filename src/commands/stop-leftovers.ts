import type { Clock } from '../clock.js';
import { stopLeftoverGroup } from '../exec/leftover-group.js';
import { runningGroups, type StateDocument } from '../state/document.js';

/**
 * Stops what a dead run left running (every process group it recorded, one per unit), after
 * checking each is the same process; called under the lock, before anything new starts. The
 * document then records none running.
 */
export async function stopLeftovers(doc: StateDocument | null | undefined, killGraceMs: number, clock: Clock, warn: (message: string) => void): Promise<void> {
  if (!doc) return;
  // Every group the dead run left, whichever release wrote the document (0.1.0 kept one slot).
  await Promise.all(
    runningGroups(doc).map(async (group) => {
      const outcome = await stopLeftoverGroup(group, killGraceMs, (ms) => clock.sleep(ms));
      if (outcome.kind === 'stopped') {
        warn(`run ${doc.runId} died leaving its command running (${group.command}, process group ${group.pgid}); stopped it before going on`);
      } else if (outcome.kind === 'unverifiable') {
        warn(`run ${doc.runId} may have left its command running (${group.command}, process group ${group.pgid}), but ${outcome.why}: check it by hand`);
      }
    }),
  );
  delete doc.processGroup;
  if (doc.processGroups) doc.processGroups = [];
}
