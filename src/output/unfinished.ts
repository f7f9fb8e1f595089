import { wasDeployed } from '../run/reduce.js';
import { runningGroups, type StateDocument } from '../state/document.js';
import { escapeControl } from './escape-control.js';
import { deployedName } from './fleet-next.js';

/** A sentence or two on a run that did not finish: where it stopped, what it left deployed, and any command it left running. */
export function describeUnfinished(doc: StateDocument): string {
  const current = doc.stages.find((s) => ['deploying', 'soaking', 'rolling_back'].includes(s.status));
  const deployed = doc.stages.filter(wasDeployed).map(deployedName);
  const how = doc.status === 'interrupted' ? `was interrupted${doc.interruptedBy ? ` by ${doc.interruptedBy}` : ''}` : 'died';
  const where = current ? ` while ${current.name} was ${current.status.replace('_', ' ')}` : '';
  const left = deployed.length > 0 ? ` It left deployed: ${deployed.join(', ')}.` : ' Nothing it deployed is left.';
  const groups = runningGroups(doc).map((group) => `${group.command} (process group ${group.pgid} on ${group.host})`);
  const running = groups.length > 0 ? ` Its commands may still be running: ${groups.join('; ')}; the next run, resume or rollback stops them.` : '';
  return `Run ${doc.runId} ${how}${where}.${left}${running}`;
}

/**
 * The last words of a run that was interrupted: what it left live and the two ways on, with the
 * flags that find this run again (`status` says the same).
 */
export function leftLiveAdvice(doc: StateDocument, flags: string): string {
  const deployed = doc.stages.filter(wasDeployed).map((s) => escapeControl(deployedName(s)));
  const ways = `finish with \`rollout resume${flags}\` or undo with \`rollout rollback${flags}\``;
  if (deployed.length === 0) return `Nothing was left deployed; start again with \`rollout run${flags}\`.`;
  return `Left deployed: ${deployed.join(', ')} — ${ways}.`;
}

/** The `-c` / `--state` flags a command was given, so the advice finds the same run again. */
export function sameRunFlags(options: { config?: string; state?: string }): string {
  const quote = (value: string) => (/^[\w./@:=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
  return `${options.config !== undefined ? ` -c ${quote(options.config)}` : ''}${options.state !== undefined ? ` --state ${quote(options.state)}` : ''}`;
}
