import type { Action } from '../run/actions.js';
import type { StateDocument } from '../state/document.js';
import { deployedName, fleetResumeText } from './fleet-next.js';

/** What `rollout resume` will do next with this run (`whereRunIs`), in a sentence (null when it will do nothing). */
export function describeNextStep(action: Action | null, doc: StateDocument): string | null {
  // A fleet stage goes on target by target: what is left of it is read from its targets.
  const fleet = action && 'ref' in action ? doc.stages.find((s) => s.name === action.ref.stage && s.targets) : undefined;
  if (fleet && (action?.kind === 'deploy' || action?.kind === 'soak' || action?.kind === 'target' || action?.kind === 'target-undo'))
    return fleetResumeText(fleet);
  switch (action?.kind) {
    case 'deploy':
      return doc.stages.find((s) => s.name === action.ref.stage)?.status === 'deploying'
        ? `\`rollout resume\` will deploy ${action.ref.stage} again (its deploy was cut short), then go on.`
        : `\`rollout resume\` will start ${action.ref.stage} (window check, deploy, soak), then go on.`;
    case 'soak':
      return `\`rollout resume\` will soak ${action.ref.stage} again from the start, without redeploying it, then go on.`;
    case 'pause':
      return `\`rollout resume\` will wait ${action.ref.stage}'s pause again from its start, then go on.`;
    case 'undo':
      return action.refs.length > 0
        ? `\`rollout resume\` will finish the rollback: ${action.refs
            .map((r) => r.stage)
            .filter((name, i, names) => names.indexOf(name) === i)
            .map((name) => {
              const stage = doc.stages.find((s) => s.name === name);
              return stage ? deployedName(stage) : name;
            })
            .reverse()
            .join(', ')}, newest first.`
        : '`rollout resume` will record the rollback as finished: nothing deployed is left.';
    case 'finish':
      if (action.status === 'succeeded') return '`rollout resume` will record the run as finished: every stage passed.';
      return action.failure ? `\`rollout resume\` will record the run failed: ${action.failure.reason}.` : null;
    case 'batch':
      return `\`rollout resume\` will start batch ${action.batch} of ${action.ref.stage}, then go on.`;
    case 'bake':
      return `\`rollout resume\` will bake ${action.ref.stage}'s batch ${action.batch} again from its start, then go on.`;
    case 'fleet-pass':
      return `\`rollout resume\` will record ${action.ref.stage} passed (every batch finished), then go on.`;
    case 'fleet-fail':
      return `\`rollout resume\` will record ${action.ref.stage} failed: ${action.reason}.`;
    default:
      return null; // a gate says it in its own lines; nothing left to do
  }
}
