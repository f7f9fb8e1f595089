import type { Plan, Stage, Verify } from '../../plan/types.js';
import { commandFailure } from '../command.js';
import type { EngineDeps } from '../deps.js';
import type { EmitInput } from '../events.js';
import { runTargetCommand, type TargetAt } from './target-command.js';

/** The most of a verify command's stdout kept: a version string, not a log. */
const OUTPUT_MAX = 4096;

/**
 * `verify:` after a target's deploy: the command prints what the target runs. It passes when it
 * exits 0 and, with `expect`, its trimmed stdout is exactly that text — so a target that still
 * answers with the old version after a "successful" deploy is not counted as updated.
 */
export async function verifyTarget(
  plan: Plan,
  stage: Stage,
  verify: Verify,
  at: TargetAt,
  deps: EngineDeps,
  emit: EmitInput,
): Promise<{ kind: 'ok' } | { kind: 'failed'; reason: string } | { kind: 'interrupted' }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  const outcome = await runTargetCommand(
    plan,
    stage,
    at,
    {
      command: verify.command,
      phase: 'deploy',
      timeoutMs: verify.timeoutMs,
      onStdout: (stream, chunk) => {
        if (stream !== 'stdout' || kept >= OUTPUT_MAX) return;
        chunks.push(Buffer.from(chunk.subarray(0, OUTPUT_MAX - kept)));
        kept += Math.min(chunk.length, OUTPUT_MAX - kept);
      },
    },
    deps,
    emit,
  );
  const { aborted, ...result } = outcome;
  const output = Buffer.concat(chunks).toString('utf8').trim();
  const failure = commandFailure('verify', outcome, verify.timeoutMs);
  const expected = verify.expect;
  const ok = failure === null && (expected === null || output === expected);
  await emit({ type: 'verify.finished', stage: stage.name, index: stage.index, target: at.target.name, ok, output, expected, ...result });
  if (aborted) return { kind: 'interrupted' };
  if (failure !== null) return { kind: 'failed', reason: failure };
  if (!ok) return { kind: 'failed', reason: `verify printed ${JSON.stringify(shorten(output))}, expected ${JSON.stringify(expected)}` };
  return { kind: 'ok' };
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
