import type { NextStep } from '../engine/next-step.js';
import type { StateDocument } from '../state/document.js';

/** What `rollout resume` will do next with this run, in a sentence (null when it will do nothing). */
export function describeNextStep(step: NextStep, doc: StateDocument): string | null {
  const name = (index: number) => doc.stages[index]?.name ?? `stage ${index + 1}`;
  switch (step.kind) {
    case 'start-stage':
      if (step.stageIndex >= doc.stages.length) return '`rollout resume` will record the run as finished: every stage passed.';
      return doc.stages[step.stageIndex]?.status === 'deploying'
        ? `\`rollout resume\` will deploy ${name(step.stageIndex)} again (its deploy was cut short), then go on.`
        : `\`rollout resume\` will start ${name(step.stageIndex)} (window check, deploy, soak), then go on.`;
    case 'resoak':
      return `\`rollout resume\` will soak ${name(step.stageIndex)} again from the start, without redeploying it, then go on.`;
    case 'repause':
      return `\`rollout resume\` will wait ${name(step.stageIndex)}'s pause again from its start, then go on.`;
    case 'rollback':
      return step.deployed.length > 0
        ? `\`rollout resume\` will finish the rollback: ${step.deployed.map(name).reverse().join(', ')}, newest first.`
        : '`rollout resume` will record the rollback as finished: nothing deployed is left.';
    case 'fail':
      return `\`rollout resume\` will record the run failed: ${step.failure.reason}.`;
    case 'gate-waiting':
    case 'gate-expired':
    case 'done':
      return null; // said by the gate's own lines, or nothing left to do
  }
}
