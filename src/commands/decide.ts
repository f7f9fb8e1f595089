import { actorFrom } from '../actor.js';
import type { Context } from '../context.js';
import type { GateDecision } from '../engine/events.js';
import { InputError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { isExpired } from '../run/gate-time.js';
import { whereRunIs } from '../run/where.js';
import type { StateDocument } from '../state/document.js';
import { type DriveFlags, driveRun } from './drive-run.js';
import { type ContinueFlags, checkSamePlan, openRunToContinue } from './open-run.js';
import { checkWindowGate } from './window-gate-check.js';
import { type WindowOverrideOptions, windowOverride } from './window-override.js';

export interface DecideOptions extends ContinueFlags, DriveFlags, WindowOverrideOptions {
  gate?: string;
  reason?: string;
}

/** What a person decides at a gate (`fail` is a timeout's, never a person's). */
type Choice = Exclude<GateDecision, 'fail'>;

/**
 * `rollout promote` continues a run paused at a gate from the next stage; `rollout abort` rolls back
 * what it deployed, newest first. Either is refused unless the run waits at a gate (the id, when
 * given, must match), the plan is the one the gate was opened with, and — for promote — the gate has
 * not expired. The decision, who made it and why are recorded before anything runs, so a gate is
 * decided once: a second promote finds no open gate.
 */
export async function decide(decision: Choice, options: DecideOptions, ctx: Context): Promise<number> {
  // Window gates (onBlocked: pause): promote needs the window open now, or this override.
  const overrideWindow = decision === 'promote' ? windowOverride(options, ctx) : null;
  let gateId = '';
  const opened = await openRunToContinue(`rollout ${decision}`, options, ctx, (doc, plan) => {
    const gate = checkGate(decision, doc, plan, options, ctx);
    gateId = gate.id;
    if (decision === 'promote') checkWindowGate(gate, plan, ctx.clock.now(), overrideWindow);
    checkSamePlan(doc, plan, true); // the gate's digest already pins the plan; the stages must line up too
    return undefined;
  });
  if (typeof opened === 'number') return opened;
  const reason = options.reason?.trim() || null;
  return driveRun(opened, ctx, options, { kind: 'decide', gateId, decision: { decision, by: actorFrom(ctx.env), reason } }, { overrideWindow });
}

function checkGate(decision: Choice, doc: StateDocument, plan: Plan, options: DecideOptions, ctx: Context) {
  // Where the run is, as the one model says: also a run that died between opening its gate and recording the pause.
  const step = whereRunIs(doc, ctx.clock.now());
  const gate = step?.kind === 'wait' || step?.kind === 'decide' ? step.gate : null;
  if (!gate) {
    const spent = doc.gate?.decision
      ? ` Its last gate (${doc.gate.id}) was already decided: ${doc.gate.decision.decision} by ${doc.gate.decision.by} at ${doc.gate.decision.at}.`
      : '';
    throw new InputError(`run ${doc.runId} is ${doc.status.replace('_', ' ')}, not waiting at a gate; there is nothing to ${decision}.${spent}`);
  }
  if (options.gate !== undefined && options.gate !== gate.id)
    throw new InputError(`run ${doc.runId} waits at gate ${gate.id}, not ${options.gate}: check which gate you mean (rollout status).`);
  if (gate.planSha256 !== plan.sha256)
    throw new InputError(
      `the plan ${plan.path} changed since gate ${gate.id} opened (sha256 ${gate.planSha256.slice(0, 12)}… → ${plan.sha256.slice(0, 12)}…): decide with the plan the canary was judged under.`,
    );
  if (decision === 'promote' && isExpired(gate, ctx.clock.now())) {
    const next =
      gate.onTimeout === 'abort'
        ? '`rollout resume` rolls it back (onTimeout: abort), as does `rollout abort`'
        : '`rollout resume` records the run failed (onTimeout: fail); `rollout abort` rolls it back instead';
    throw new InputError(`gate ${gate.id} expired at ${gate.expiresAt} (onTimeout: ${gate.onTimeout}); it can no longer be promoted: ${next}.`);
  }
  return gate;
}
