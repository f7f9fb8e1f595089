import { readdirSync } from 'node:fs';
import type { ProcessGroupRecord } from '../state/document.js';
import { machineId, processStat } from '../state/identity.js';
import { signalGroup } from './process-groups.js';

export type LeftoverOutcome = { kind: 'none' } | { kind: 'stopped'; pids: number[] } | { kind: 'unverifiable'; why: string };

/**
 * A dead run's command may still be running: SIGKILL on the CLI leaves its deploy's process group
 * alive. Stops that group before anything new starts — but only after making sure it is the same
 * one: same kernel and pid namespace, and either its leader is the very process recorded (same
 * start time) or, the leader gone, every member started after it (a pgid cannot be reused while
 * any member of its group lives). SIGTERM, then SIGKILL after `graceMs`.
 */
export async function stopLeftoverGroup(record: ProcessGroupRecord, graceMs: number, sleep: (ms: number) => Promise<void>): Promise<LeftoverOutcome> {
  const here = machineId();
  if (!here || record.machine !== here) return { kind: 'unverifiable', why: `it ran on another machine or container (${record.host})` };
  const members = groupMembers(record);
  if (members === null) return { kind: 'none' };
  signalGroup(record.pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupMembers(record) !== null) await sleep(50);
  if (groupMembers(record) !== null) signalGroup(record.pgid, 'SIGKILL');
  return { kind: 'stopped', pids: members };
}

/** Live (non-zombie) members of the recorded group, or null when it is gone or is not the same group. */
function groupMembers(record: ProcessGroupRecord): number[] | null {
  const leader = processStat(record.pgid);
  if (leader && leader.startTicks !== record.startTicks) return null; // the pid was reused: not ours
  const members: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (!stat || stat.pgrp !== record.pgid || stat.state === 'Z') continue;
    if (BigInt(stat.startTicks) < BigInt(record.startTicks)) return null; // older than our leader: another group
    members.push(Number(entry));
  }
  return members.length > 0 ? members : null;
}
