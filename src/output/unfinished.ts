import { wasDeployed } from '../run/reduce.js';
import type { StateDocument } from '../state/document.js';
import { escapeControl } from './escape-control.js';

/** One sentence on a run that did not finish: where it stopped and what it left deployed. */
export function describeUnfinished(doc: StateDocument): string {
  const current = doc.stages.find((s) => ['deploying', 'soaking', 'rolling_back'].includes(s.status));
  const deployed = doc.stages.filter(wasDeployed).map((s) => s.name);
  const how = doc.status === 'interrupted' ? `was interrupted${doc.interruptedBy ? ` by ${doc.interruptedBy}` : ''}` : 'died';
  const where = current ? ` while ${current.name} was ${current.status.replace('_', ' ')}` : '';
  const left = deployed.length > 0 ? ` It left deployed: ${deployed.join(', ')}.` : ' Nothing it deployed is left.';
  return `Run ${doc.runId} ${how}${where}.${left}`;
}

/**
 * The last words of a run that was interrupted: what it left live and the two ways on, with the
 * flags that find this run again (`status` says the same).
 */
export function leftLiveAdvice(doc: StateDocument, flags: string): string {
  const deployed = doc.stages.filter(wasDeployed).map((s) => escapeControl(s.name));
  const ways = `finish with \`rollout resume${flags}\` or undo with \`rollout rollback${flags}\``;
  if (deployed.length === 0) return `Nothing was left deployed; start again with \`rollout run${flags}\`.`;
  return `Left deployed: ${deployed.join(', ')} — ${ways}.`;
}

/** The `-c` / `--state` flags a command was given, so the advice finds the same run again. */
export function sameRunFlags(options: { config?: string; state?: string }): string {
  const quote = (value: string) => (/^[\w./@:=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
  return `${options.config !== undefined ? ` -c ${quote(options.config)}` : ''}${options.state !== undefined ? ` --state ${quote(options.state)}` : ''}`;
}
