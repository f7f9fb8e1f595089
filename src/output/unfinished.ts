import type { StateDocument } from '../state/document.js';
import { wasDeployed } from '../state/reduce.js';

/** One sentence on a run that did not finish: where it stopped and what it left deployed. */
export function describeUnfinished(doc: StateDocument): string {
  const current = doc.stages.find((s) => ['deploying', 'soaking', 'rolling_back'].includes(s.status));
  const deployed = doc.stages.filter(wasDeployed).map((s) => s.name);
  const how = doc.status === 'interrupted' ? `was interrupted${doc.interruptedBy ? ` by ${doc.interruptedBy}` : ''}` : 'died';
  const where = current ? ` while ${current.name} was ${current.status.replace('_', ' ')}` : '';
  const left = deployed.length > 0 ? ` It left deployed: ${deployed.join(', ')}.` : ' Nothing it deployed is left.';
  return `Run ${doc.runId} ${how}${where}.${left}`;
}
