import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';

/**
 * Process identity that survives CI containers: host names and small pids are reused, so a pid is
 * only meaningful on the same kernel (boot id) and in the same pid namespace, and only while the
 * process there is the one that started at the recorded time. Where /proc is missing (macOS), the
 * machine is unknown and callers fall back to heartbeat age.
 */
export interface ProcessIdentity {
  /** `<boot id>/<pid namespace>`, or null where it cannot be told. */
  machine: string | null;
  /** Start time of `pid` in clock ticks since boot. */
  pidStart: string | null;
  /** Random per process. */
  token: string;
}

export function currentIdentity(pid: number): ProcessIdentity {
  return { machine: machineId(), pidStart: processStart(pid), token: randomBytes(8).toString('hex') };
}

let cachedMachine: string | null | undefined;

export function machineId(): string | null {
  if (cachedMachine !== undefined) return cachedMachine;
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const ns = readlinkSync('/proc/self/ns/pid'); // `pid:[4026531836]`
    cachedMachine = `${boot}/${ns.replace(/^pid:\[|\]$/g, '')}`;
  } catch {
    cachedMachine = null;
  }
  return cachedMachine;
}

/** `/proc/<pid>/stat`: state (field 3) and start time (field 22); null when the process is gone. */
export function processStat(pid: number): { state: string; startTicks: string; pgrp: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, , pgrp] = fields;
  const startTicks = fields[19];
  if (state === undefined || startTicks === undefined || pgrp === undefined) return null;
  return { state, startTicks, pgrp: Number(pgrp) };
}

export function processStart(pid: number): string | null {
  return processStat(pid)?.startTicks ?? null;
}

export type Liveness = 'alive' | 'dead' | 'unknown';

/**
 * Whether the process recorded as (`machine`, `pid`, `pidStart`) still runs. `unknown` when it
 * ran on another kernel or pid namespace (the caller then judges by heartbeat age). A zombie is
 * dead: it will never release anything.
 */
export function judgeProcess(record: { machine?: string | null; pid: number; pidStart?: string | null }, here: string | null): Liveness {
  if (!record.machine || !here || record.machine !== here) return 'unknown';
  const stat = processStat(record.pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return 'dead';
  if (record.pidStart && stat.startTicks !== record.pidStart) return 'dead'; // the pid was reused
  return 'alive';
}
