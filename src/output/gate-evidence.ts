import { isExpired } from '../run/gate-time.js';
import { lastMeasurement, type StateDocument } from '../state/document.js';
import { gatePlace } from './gate-text.js';

type OpenGate = NonNullable<StateDocument['gate']>;

/**
 * A gate and the evidence a person decides on: why the run waits, until when, and each check of
 * the stage that passed with its verdict and last measurement. Shared by `rollout status` and the
 * terminal's promote / abort / wait question.
 */
export function describeGate(doc: StateDocument, gate: OpenGate, now: number): string {
  const checks =
    doc.stages[gate.index]?.checkResults.checks.map(
      (c) => `    ${c.name}: ${c.verdict ?? (c.lastOk ? 'pass' : 'fail')}${lastMeasurement(c) ? ` (last ${lastMeasurement(c)?.display})` : ''}`,
    ) ?? [];
  return [
    `Waiting at gate ${gate.id} ${gatePlace(gate)} (${gate.kind}): ${gate.reason}`,
    `  opened ${gate.createdAt}${gate.expiresAt ? `, expires ${gate.expiresAt} (then: ${gate.onTimeout})` : ''}`,
    ...(checks.length > 0 ? ['  evidence:', ...checks] : []),
    ...(isExpired(gate, now) ? [expiredSentence(gate)] : []),
  ].join('\n');
}

/** What an expired gate does when the run is next continued. */
export function expiredSentence(gate: OpenGate): string {
  const then =
    gate.onTimeout === 'abort' ? 'roll back what the run deployed (onTimeout: abort)' : 'record the run failed, leaving what it deployed (onTimeout: fail)';
  return `Gate ${gate.id} expired at ${gate.expiresAt}: it can no longer be promoted; \`rollout resume\` will ${then}.`;
}
