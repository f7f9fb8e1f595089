import { parseDuration } from '../plan/duration.js';
import { formatLocal, isTimeZone } from './local-time.js';
import { compileRule, type WindowRule } from './rules.js';
import type { RawWindows } from './schema.js';

export type OnBlocked = 'fail' | 'wait' | 'pause';

/** The plan's `windows:` ready to ask: every rule compiled, every duration in ms. */
export interface Windows {
  timezone: string;
  allow: WindowRule[];
  deny: WindowRule[];
  onBlocked: OnBlocked;
  /** With onBlocked `wait`: the longest a stage waits for its window. */
  maxWaitMs: number | null;
}

export type WindowVerdict =
  | { open: true }
  | {
      open: false;
      /** Which rule blocks, in the plan's words: `deny "holiday freeze" (2026-12-19 – 2027-01-04)`. */
      rule: string;
      /** The instant a stage may next start, or null when none within a year. */
      nextOpenMs: number | null;
      /** One sentence for people: what blocks and when it opens. */
      message: string;
    };

export interface WindowProblem {
  path: (string | number)[];
  message: string;
}

/** How far ahead to look for the next open moment: beyond a year, a plan has no usable window. */
const HORIZON_MS = 366 * 24 * 3_600_000;

export function compileWindows(raw: RawWindows): { ok: true; windows: Windows } | { ok: false; problems: WindowProblem[] } {
  const problems: WindowProblem[] = [];
  const timezone = raw.timezone ?? 'UTC';
  const knownZone = isTimeZone(timezone);
  if (!knownZone) problems.push({ path: ['timezone'], message: `unknown time zone ${timezone} (expected an IANA name such as Europe/Berlin)` });
  const compile = (list: 'allow' | 'deny') =>
    (raw[list] ?? []).flatMap((rule, index) => {
      // An unknown zone does not hide the rules' own problems: they are checked as if in UTC.
      const compiled = compileRule(rule, knownZone ? timezone : 'UTC');
      if (compiled.ok) return [compiled.rule];
      problems.push({ path: [list, index, compiled.key], message: compiled.message });
      return [];
    });
  const allow = compile('allow');
  const deny = compile('deny');
  const onBlocked = raw.onBlocked ?? 'fail';
  const maxWaitMs = raw.maxWait === undefined ? null : (parseDuration(raw.maxWait) ?? null);
  if (raw.maxWait !== undefined && maxWaitMs === null) problems.push({ path: ['maxWait'], message: 'expected a duration like 30m or 2h' });
  if (onBlocked === 'wait' && raw.maxWait === undefined)
    problems.push({ path: ['maxWait'], message: 'onBlocked: wait needs maxWait (how long a stage may wait)' });
  if (onBlocked === 'wait' && maxWaitMs === 0)
    problems.push({ path: ['maxWait'], message: 'must be longer than 0 with onBlocked: wait (waiting 0 is onBlocked: fail)' });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, windows: { timezone, allow, deny, onBlocked, maxWaitMs } };
}

/**
 * Whether a stage may start at `nowMs`: inside an allow rule (when there are any) and inside no
 * deny rule. When blocked, finds the next open instant by jumping from span end to span end.
 */
export function checkWindows(windows: Windows, nowMs: number): WindowVerdict {
  const first = blockedAt(windows, nowMs);
  if (first === null) return { open: true };
  let at = first.until;
  let nextOpenMs: number | null = null;
  for (let hops = 0; at !== null && at - nowMs <= HORIZON_MS && hops < 10_000; hops++) {
    const blocked = blockedAt(windows, at);
    if (blocked === null) {
      nextOpenMs = at;
      break;
    }
    at = blocked.until;
  }
  const next = nextOpenMs === null ? 'no allowed time within a year' : `next allowed ${formatLocal(nextOpenMs, windows.timezone)}`;
  return { open: false, rule: first.rule, nextOpenMs, message: `${first.rule.startsWith('deny') ? 'blocked by ' : 'blocked: '}${first.rule}; ${next}` };
}

function blockedAt(windows: Windows, ms: number): { rule: string; until: number | null } | null {
  for (const rule of windows.deny) {
    const span = rule.containing(ms);
    if (span) return { rule: `deny ${rule.reason ? `"${rule.reason}" (${rule.label})` : rule.label}`, until: span.end };
  }
  if (windows.allow.length === 0 || windows.allow.some((rule) => rule.containing(ms) !== null)) return null;
  const starts = windows.allow.map((rule) => rule.nextStart(ms)).filter((start): start is number => start !== null);
  const labels = windows.allow.map((rule) => rule.label).join(', ');
  return { rule: `outside the allowed windows (${labels})`, until: starts.length > 0 ? Math.min(...starts) : null };
}
