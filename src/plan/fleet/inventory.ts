import { ExitCode, RolloutError } from '../../errors.js';
import { runCommand } from '../../exec/run-command.js';
import { escapeControl } from '../../output/escape-control.js';
import { redactorFor } from '../../secrets/redact.js';
import type { Target } from '../types.js';
import { varEnvName } from '../vars.js';
import { parseInventory } from './inventory-lines.js';

/** The most an inventory may print on stdout (10 MiB): enough for 100,000 targets with attributes. */
export const MAX_INVENTORY_BYTES = 10 * 1024 * 1024;
/** What is kept of its stderr, and how many of those lines a failure shows. */
const STDERR_KEPT_BYTES = 4096;
const STDERR_SHOWN_LINES = 5;

export interface InventoryInput {
  command: string;
  /** The plan's directory: the command runs there. */
  dir: string;
  planPath: string;
  vars: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  killGraceMs: number;
  /** The plan's `secrets:` names: their values (and secret-looking vars) are masked in what is shown of the output. */
  secrets: readonly string[];
  /** The CLI's stop: the command's process group is stopped and the load refused (exit 130/143), not reported as a plan problem. */
  signal?: AbortSignal;
}

/**
 * Runs a dynamic inventory and reads its targets (docs/fleets.md). The command gets the
 * environment deploy commands get (the caller's, the vars as ROLLOUT_VAR_*, the plan file);
 * nothing is pasted into its text. Problems are sentences about "the command", for the plan
 * error at `targets.from`; a command that fails yields no targets at all, never part of them.
 */
export async function runInventory(input: InventoryInput): Promise<{ targets: Target[]; problems: string[] }> {
  const listed = await listTargets(input);
  // Its stderr and its bad lines are quoted: by the one rule, no secret is shown (a token in a failed curl's message).
  const { redactor } = redactorFor({ names: input.secrets, env: input.env, vars: input.vars });
  return { targets: listed.targets, problems: listed.problems.map((problem) => redactor.text(problem)) };
}

async function listTargets(input: InventoryInput): Promise<{ targets: Target[]; problems: string[] }> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.env)) if (value !== undefined) env[name] = value;
  for (const [name, value] of Object.entries(input.vars)) env[varEnvName(name)] = value;
  env.ROLLOUT_PLAN_FILE = input.planPath;

  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let stderr = Buffer.alloc(0);
  let tooBig = false;
  const stop = new AbortController();
  const onStop = () => stop.abort();
  if (input.signal?.aborted) onStop();
  else input.signal?.addEventListener('abort', onStop, { once: true });
  const result = await runCommand({
    command: input.command,
    cwd: input.dir,
    env,
    timeoutMs: input.timeoutMs,
    killGraceMs: input.killGraceMs,
    signal: stop.signal,
    onOutput: (stream, chunk) => {
      if (stream === 'stderr') {
        if (stderr.length < STDERR_KEPT_BYTES) stderr = Buffer.concat([stderr, chunk]).subarray(0, STDERR_KEPT_BYTES);
        return;
      }
      if (tooBig) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_INVENTORY_BYTES) {
        tooBig = true;
        stop.abort();
        return;
      }
      stdout.push(Buffer.from(chunk));
    },
  });

  input.signal?.removeEventListener('abort', onStop);
  if (input.signal?.aborted) {
    const reason = input.signal.reason;
    throw new RolloutError(
      'stopped while the inventory command (targets.from) was listing the targets; nothing was run',
      reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted,
    );
  }
  const failed = (why: string) => ({ targets: [], problems: [`the inventory command ${why}${stderrOf(stderr)}`] });
  if (tooBig) return failed(`printed more than ${MAX_INVENTORY_BYTES / 1024 / 1024} MiB; that is the limit (its process group was killed)`);
  if (result.error !== undefined) return failed(`could not start: ${escapeControl(result.error.split('\n')[0] ?? '')}`);
  if (result.timedOut) {
    return failed(
      `did not finish within ${input.timeoutMs % 1000 === 0 ? `${input.timeoutMs / 1000}s` : `${input.timeoutMs}ms`} (its process group was killed); make it faster or raise targets.timeout`,
    );
  }
  if (result.signal !== null) return failed(`was killed by ${result.signal}`);
  if (result.exitCode !== 0) return failed(`exited with code ${result.exitCode}`);
  return parseInventory(Buffer.concat(stdout).toString('utf8'));
}

/** The first lines of what the command said on stderr, escaped and on one line: `; stderr: "a" / "b"`. */
function stderrOf(bytes: Buffer): string {
  const lines = bytes
    .toString('utf8')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
  if (lines.length === 0) return '';
  const shown = lines.slice(0, STDERR_SHOWN_LINES).map((line) => escapeControl(JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line)));
  return `; its stderr: ${shown.join(' / ')}${lines.length > STDERR_SHOWN_LINES ? ' / …' : ''}`;
}
