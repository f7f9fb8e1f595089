import { actorFrom } from '../actor.js';
import type { Context } from '../context.js';
import type { EngineDeps } from '../engine/deps.js';
import { type DriveOptions, drive } from '../engine/drive.js';
import type { Gate } from '../engine/events.js';
import { exitCodeFor } from '../exit-status.js';
import { parsePausedExitCode } from '../option-values.js';
import type { OutputMode } from '../output/create-reporter.js';
import { describeGate, expiredSentence } from '../output/gate-evidence.js';
import { renderSummary } from '../output/summary.js';
import { leftLiveAdvice, sameRunFlags } from '../output/unfinished.js';
import type { Plan } from '../plan/types.js';
import { askAtGate } from '../prompt/gate-prompt.js';
import type { FinalStatus, Intent } from '../run/actions.js';
import { isExpired } from '../run/gate-time.js';
import type { StateDocument } from '../state/document.js';
import type { OpenRun } from './open-run.js';
import { openRunNotifier } from './run-notifier.js';
import { checkWindowGate } from './window-gate-check.js';

export interface DriveFlags extends OutputMode {
  config?: string;
  state?: string;
  pausedExitCode?: string;
}

/** How a command ends its part of the run: its exit code, and what its summary covers. */
export interface Ending {
  /** The exit code for the status the drive ended with. */
  exitCode: (status: FinalStatus) => number;
  /** The summary's "took" is this command's own part of the run (resume, rollback), not the run's age. */
  ownDuration: boolean;
  /** At a terminal, a gate reached is asked here and the run goes on under the same lock. */
  askAtGates: boolean;
  /** After an interrupt, say what is still live and how to go on. */
  lastWords: boolean;
  /** Called once the lock is released, also after a failure (`run --report`). */
  afterClose?: () => void;
}

/**
 * Every command's one way through a run once it is opened (open-run.ts): drive the loop with the
 * command's intent, ask at a gate when a person is at the terminal, then finish — state settled,
 * lock released, summary and last words printed, webhooks drained outside the lock. Returns the exit code.
 */
export async function driveRun(
  open: OpenRun,
  ctx: Context,
  flags: DriveFlags,
  intent: Intent,
  options: DriveOptions,
  ending: Ending = continuing(flags, ctx),
): Promise<number> {
  const { plan, session, doc, store } = open;
  // Webhooks hear who decided, and what followed, as they heard the gate open; a manual rollback too.
  const notifier = openRunNotifier(plan, ctx, (message) => session.warn(message), store);
  let exitCode: number;
  let summary: string | null = null;
  let lastWords: string | null = null;
  try {
    let tookMs: number | undefined;
    const deps = session.deps(open.runId, store, [
      (event) => {
        if (event.type === 'run.finished') tookMs = event.durationMs;
        notifier.listen(event);
      },
    ]);
    let status = await drive(plan, doc, intent, deps, options);
    if (ending.askAtGates) status = await askAtGates(status, () => store.document, { plan, deps, ctx, flags, options });
    await session.settle(store);
    const final = store.document;
    if (final && !flags.json && !flags.quiet) summary = renderSummary(final, ctx.term.color, ending.ownDuration ? tookMs : undefined);
    // After Ctrl-C, the last words say what is still live and how to go on.
    if (final && status === 'interrupted' && ending.lastWords) lastWords = leftLiveAdvice(final, sameRunFlags(flags));
    exitCode = ending.exitCode(status);
  } catch (error) {
    throw session.redact(error);
  } finally {
    await session.close();
    ending.afterClose?.();
  }
  if (summary !== null) ctx.term.out.write(`${summary}\n`);
  if (lastWords !== null) ctx.term.err.write(`${lastWords}\n`);
  // The rollout is decided and recorded; webhooks get a bounded wait, outside the lock (shorter when interrupted).
  await notifier.finish();
  return exitCode;
}

/** `resume`, `promote` and `abort`: a pause is exit 7 (or --paused-exit-code), the summary covers this command's part. */
export function continuing(flags: DriveFlags, ctx: Pick<Context, 'signal'>): Ending {
  return {
    exitCode: (status) => (status === 'paused' ? pausedExitCode(flags) : exitCodeFor(status, ctx.signal.reason)),
    ownDuration: true,
    askAtGates: true,
    lastWords: true,
  };
}

export interface GateAsking {
  plan: Plan;
  deps: EngineDeps;
  ctx: Pick<Context, 'term' | 'input' | 'signal' | 'clock' | 'env'>;
  flags: OutputMode;
  options: DriveOptions;
}

/**
 * At a terminal (stdin and stdout a TTY, not CI, not --json), a run that stopped at a gate asks
 * promote / abort / wait and, on promote or abort, goes on in this process with the lock still
 * held — through the same loop, with the same intent, a later `rollout promote` would start. "wait", Ctrl-C or the
 * end of input leave it paused exactly as without a terminal.
 */
export async function askAtGates(status: FinalStatus, doc: () => StateDocument | null, asking: GateAsking): Promise<FinalStatus> {
  const { plan, deps, ctx, flags, options } = asking;
  if (!ctx.term.canPrompt || flags.json || !ctx.input) return status;
  while (status === 'paused' && !ctx.signal.aborted) {
    const current = doc();
    const gate = current?.gate;
    if (!current || !gate || gate.decision !== null) break;
    const answer = await askAtGate({ input: ctx.input(), output: ctx.term.out, signal: ctx.signal }, describeGate(current, gate, ctx.clock.now()));
    if (answer === 'wait') break;
    if (answer === 'promote' && isExpired(gate, ctx.clock.now())) {
      ctx.term.out.write(`${expiredSentence(gate)}\n`);
      break;
    }
    if (answer === 'promote' && gate.kind === 'window') {
      const closed = windowStillClosed(gate, plan, ctx.clock.now());
      if (closed) {
        ctx.term.out.write(`${closed}\n`);
        break;
      }
    }
    const decision = { decision: answer, by: actorFrom(ctx.env), reason: 'at the terminal' };
    status = await drive(plan, current, { kind: 'decide', gateId: gate.id, decision }, deps, options);
  }
  return status;
}

/** `--paused-exit-code N` for pipelines that count a pause as success. */
export function pausedExitCode(options: { pausedExitCode?: string }): number {
  return options.pausedExitCode === undefined ? 7 : parsePausedExitCode(options.pausedExitCode);
}

/** Why a window gate cannot be promoted at the terminal now (its window is still closed), or null. */
function windowStillClosed(gate: Gate, plan: Plan, now: number): string | null {
  try {
    checkWindowGate(gate, plan, now, null);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
