import type { Readable } from 'node:stream';
import { execa } from 'execa';
import type { UnitRef } from '../run/unit-key.js';
import { signalGroup, trackGroup, untrackGroup } from './process-groups.js';

export interface CommandSpec {
  command: string;
  cwd: string;
  /** The complete environment; nothing is inherited implicitly. */
  env: Record<string, string>;
  timeoutMs: number;
  /** After SIGTERM, how long the process group gets before SIGKILL. */
  killGraceMs: number;
  /** Aborting terminates the command's process group (SIGTERM, then SIGKILL after the grace). */
  signal?: AbortSignal;
  /** Called for each chunk; a returned promise pauses reading until it settles (backpressure). */
  onOutput: (stream: 'stdout' | 'stderr', chunk: Uint8Array) => void | Promise<void>;
  /** Called once the command runs, with its process group id (the session records it in the state). */
  onStart?: (pgid: number) => void;
  /** The unit the command runs for (null: the plan-level rollback); absent for a check's command. */
  unit?: UnitRef | null;
}

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the command could not be started. */
  error?: string;
}

/** Once the shell exits, how long a background grandchild may keep our pipes open before we stop reading. */
const PIPE_DRAIN_MS = 250;

/**
 * Runs a command through /bin/sh in its own process group, so a timeout or cancel can take
 * down the whole tree (grandchildren included) with one signal. Output is streamed, never
 * buffered: memory stays flat whatever the command prints.
 */
export async function runCommand(spec: CommandSpec): Promise<CommandResult> {
  const child = execa(spec.command, {
    shell: '/bin/sh',
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: false,
    stripFinalNewline: false,
  });
  const pid = child.pid;
  let spawnError: string | undefined;
  if (pid === undefined) {
    const result = await child;
    return { exitCode: null, signal: null, timedOut: false, aborted: false, error: result.shortMessage ?? 'could not start /bin/sh' };
  }
  trackGroup(pid);
  spec.onStart?.(pid);

  let timedOut = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = () => {
    signalGroup(pid, 'SIGTERM');
    killTimer ??= setTimeout(() => signalGroup(pid, 'SIGKILL'), spec.killGraceMs);
  };
  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    terminate();
  }, spec.timeoutMs);
  const onAbort = () => {
    aborted = true;
    terminate();
  };
  if (spec.signal?.aborted) onAbort();
  else spec.signal?.addEventListener('abort', onAbort, { once: true });

  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.once('error', (error) => {
    spawnError = error.message;
  });

  const pumps = [pump(child.stdout, 'stdout', spec), pump(child.stderr, 'stderr', spec)];
  const status = await exited;
  // A backgrounded grandchild may hold our pipes open forever; read what is there, then let go.
  const drained = await Promise.race([Promise.all(pumps).then(() => true), delay(PIPE_DRAIN_MS).then(() => false)]);
  if (!drained) {
    child.stdout?.destroy();
    child.stderr?.destroy();
    await Promise.allSettled(pumps);
  }
  await child.catch(() => undefined);

  clearTimeout(timeoutTimer);
  if (killTimer) clearTimeout(killTimer);
  spec.signal?.removeEventListener('abort', onAbort);
  // On timeout/abort the leader may be gone while the group lives on: finish the group too.
  if (timedOut || aborted) signalGroup(pid, 'SIGKILL');
  untrackGroup(pid);

  return {
    exitCode: status.code,
    signal: status.signal,
    timedOut,
    aborted,
    ...(spawnError !== undefined && status.code === null && status.signal === null ? { error: spawnError } : {}),
  };
}

async function pump(stream: Readable | null, name: 'stdout' | 'stderr', spec: CommandSpec): Promise<void> {
  if (!stream) return;
  try {
    for await (const chunk of stream) {
      const pending = spec.onOutput(name, chunk as Uint8Array);
      if (pending) await pending;
    }
  } catch {
    // Destroyed after the shell exited (see PIPE_DRAIN_MS): nothing more to read.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
