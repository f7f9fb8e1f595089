import { isInFlight, isTargetDeployed } from '../run/targets.js';
import type { StageState } from '../state/document.js';
import { nameList } from './fleet-progress.js';

/**
 * What `rollout resume` will do with a fleet stage it goes on with, from the document: the batch
 * it picks up at, the targets it deploys again because they were cut short, what is left pending,
 * and what becomes of the failed ones (they stay failed unless retried).
 */
export function fleetResumeText(stage: StageState): string | null {
  const targets = stage.targets;
  const fleet = stage.fleet;
  if (!targets || !fleet) return null;
  if (!targets.some(isTargetDeployed) && !targets.some((t) => t.failed))
    return `\`rollout resume\` will start ${stage.name} (window check, then ${fleet.batches} batch${fleet.batches === 1 ? '' : 'es'} of its ${targets.length} targets), then go on.`;
  const cut = targets.filter(isInFlight).map((t) => t.name);
  const pending = targets.filter((t) => t.status === 'pending').length;
  const failed = targets.filter((t) => t.failed).length;
  const steps = [
    cut.length > 0 ? `deploy again the ${count(cut.length)} cut short (${nameList(cut)})` : '',
    pending > 0 ? `deploy the ${pending} pending` : '',
  ].filter(Boolean);
  const at = Math.max(1, Math.min(fleet.batches, fleet.finished + 1));
  const doing = steps.length > 0 ? `${steps.join(', then ')}, ` : 'finish its last batch, ';
  const failures =
    failed > 0
      ? ` The ${count(failed)} that failed ${failed === 1 ? 'stays' : 'stay'} failed (\`rollout resume --retry-failed\` deploys ${failed === 1 ? 'it' : 'them'} again).`
      : '';
  return `\`rollout resume\` will go on with ${stage.name} at batch ${at} of ${fleet.batches}: ${doing}then go on.${failures}`;
}

/** `everyone (193 of 500 targets)`: a fleet stage as something left deployed. */
export function deployedName(stage: StageState): string {
  if (!stage.targets) return stage.name;
  const changed = stage.targets.filter(isTargetDeployed).length;
  return `${stage.name} (${changed} of ${stage.targets.length} target${stage.targets.length === 1 ? '' : 's'})`;
}

function count(n: number): string {
  return `${n} target${n === 1 ? '' : 's'}`;
}
