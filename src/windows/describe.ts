import { checkWindows, type Windows } from './evaluate.js';
import { formatLocal } from './local-time.js';

/** The plan's windows for `rollout plan`: its rules in words, and whether a stage could start now. */
export interface WindowsSummary {
  timezone: string;
  onBlocked: Windows['onBlocked'];
  maxWaitMs: number | null;
  allow: string[];
  deny: string[];
  /** Local time of `nowMs` in the windows' zone. */
  now: string;
  openNow: boolean;
  blockedBy: string | null;
  /** Local time a stage may next start, when closed now. */
  nextOpen: string | null;
  nextOpenAt: string | null;
}

export function describeWindows(windows: Windows, nowMs: number): WindowsSummary {
  const verdict = checkWindows(windows, nowMs);
  const rule = (r: { label: string; reason: string | null }) => (r.reason ? `${r.label} (${r.reason})` : r.label);
  const next = verdict.open ? null : verdict.nextOpenMs;
  return {
    timezone: windows.timezone,
    onBlocked: windows.onBlocked,
    maxWaitMs: windows.maxWaitMs,
    allow: windows.allow.map(rule),
    deny: windows.deny.map(rule),
    now: formatLocal(nowMs, windows.timezone),
    openNow: verdict.open,
    blockedBy: verdict.open ? null : verdict.rule,
    nextOpen: next === null ? null : formatLocal(next, windows.timezone),
    nextOpenAt: next === null ? null : new Date(next).toISOString(),
  };
}
