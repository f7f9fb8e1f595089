import { Cron } from 'croner';
import { formatDuration, parseDuration } from '../plan/duration.js';
import { addDays, instantAt, type LocalDay, localDay } from './local-time.js';
import { DATE_PATTERN, DAY_PATTERN, type RawWindowRule, TIME_PATTERN } from './schema.js';

/** A span of time the rule covers; `end` is exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** A compiled rule: which span (if any) holds an instant, and when its next span starts. */
export interface WindowRule {
  /** How the plan wrote it, for messages: `mon-thu 09:00–16:00`. */
  label: string;
  reason: string | null;
  containing(ms: number): Span | null;
  nextStart(ms: number): number | null;
}

export type Compiled = { ok: true; rule: WindowRule } | { ok: false; key: string; message: string };

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export function compileRule(raw: RawWindowRule, zone: string): Compiled {
  const reason = raw.reason ?? null;
  if (raw.cron !== undefined || raw.duration !== undefined) {
    if (raw.cron === undefined || raw.duration === undefined)
      return { ok: false, key: raw.cron === undefined ? 'cron' : 'duration', message: 'a cron rule needs both cron and duration' };
    if (raw.from !== undefined || raw.to !== undefined || raw.days !== undefined)
      return { ok: false, key: 'cron', message: 'a cron rule takes cron and duration, not days/from/to' };
    const durationMs = parseDuration(raw.duration);
    if (durationMs === undefined || durationMs <= 0) return { ok: false, key: 'duration', message: 'expected a duration like 66h or 2h30m' };
    let cron: Cron;
    try {
      cron = new Cron(raw.cron, { timezone: zone, paused: true });
    } catch (error) {
      return { ok: false, key: 'cron', message: `not a valid cron expression: ${(error as Error).message}` };
    }
    return { ok: true, rule: cronRule(cron, raw.cron, durationMs, reason) };
  }
  if (raw.from === undefined || raw.to === undefined)
    return { ok: false, key: raw.from === undefined ? 'from' : 'to', message: 'a rule needs from and to (or cron and duration)' };
  const from = dateText(raw.from);
  const to = dateText(raw.to);
  if (TIME_PATTERN.test(from) && TIME_PATTERN.test(to)) return daily(raw.days, from, to, zone, reason);
  if (DATE_PATTERN.test(from) && DATE_PATTERN.test(to)) {
    if (raw.days !== undefined) return { ok: false, key: 'days', message: 'a date range takes no days' };
    const start = dateInstant(from, zone, false);
    const end = dateInstant(to, zone, true);
    if (end <= start) return { ok: false, key: 'to', message: `ends (${to}) before it starts (${from})` };
    return { ok: true, rule: rangeRule(start, end, `${from} – ${to}`, reason) };
  }
  return { ok: false, key: 'from', message: 'from and to must both be times ("09:00") or both dates (2026-12-19)' };
}

/** YAML reads an unquoted 2026-12-19 as a Date; turn it back into the text the user wrote. */
function dateText(value: string | Date): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : value.trim();
}

function dateInstant(text: string, zone: string, endOfDay: boolean): number {
  const [date, time] = text.split(/[ T]/) as [string, string | undefined];
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const local: LocalDay = { year, month, day, weekday: 0 };
  if (time !== undefined) return instantAt(local, minutesOf(time), zone);
  // A date-only end is inclusive: the freeze lasts through that whole day.
  return endOfDay ? instantAt(addDays(local, 1), 0, zone) : instantAt(local, 0, zone);
}

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

function daily(days: string[] | undefined, from: string, to: string, zone: string, reason: string | null): Compiled {
  const on = new Set<number>();
  for (const entry of days ?? ['sun-sat']) {
    const match = DAY_PATTERN.exec(entry);
    if (!match) return { ok: false, key: 'days', message: `unknown day ${entry}` };
    const first = DAYS.indexOf(match[1] as string);
    const last = match[2] === undefined ? first : DAYS.indexOf(match[2] as string);
    for (let d = first; ; d = (d + 1) % 7) {
      on.add(d);
      if (d === last) break;
    }
  }
  const startMin = minutesOf(from);
  const endMin = minutesOf(to);
  if (startMin === 24 * 60) return { ok: false, key: 'from', message: 'from cannot be 24:00' };
  // `to` at or before `from` runs into the next day (22:00–06:00); equal means a full 24 hours.
  const endDayOffset = endMin <= startMin ? 1 : 0;
  const spanOf = (day: LocalDay): Span => ({ start: instantAt(day, startMin, zone), end: instantAt(addDays(day, endDayOffset), endMin, zone) });
  const label = `${days ? `${days.join(',')} ` : ''}${from}–${to}`;
  return {
    ok: true,
    rule: {
      label,
      reason,
      containing(ms) {
        const today = localDay(ms, zone);
        for (const offset of [0, -1]) {
          const day = addDays(today, offset);
          if (!on.has(day.weekday)) continue;
          const span = spanOf(day);
          if (span.start <= ms && ms < span.end) return span;
        }
        return null;
      },
      nextStart(ms) {
        const today = localDay(ms, zone);
        for (let offset = 0; offset <= 8; offset++) {
          const day = addDays(today, offset);
          if (!on.has(day.weekday)) continue;
          const start = spanOf(day).start;
          if (start > ms) return start;
        }
        return null;
      },
    },
  };
}

function rangeRule(start: number, end: number, label: string, reason: string | null): WindowRule {
  return {
    label,
    reason,
    containing: (ms) => (start <= ms && ms < end ? { start, end } : null),
    nextStart: (ms) => (start > ms ? start : null),
  };
}

function cronRule(cron: Cron, expression: string, durationMs: number, reason: string | null): WindowRule {
  return {
    label: `cron "${expression}" for ${formatDuration(durationMs)}`,
    reason,
    containing(ms) {
      // The only start that can cover `ms` is the first one after ms − duration (an earlier one ended before ms).
      const start = cron.nextRun(new Date(ms - durationMs))?.getTime();
      return start !== undefined && start <= ms ? { start, end: start + durationMs } : null;
    },
    nextStart: (ms) => cron.nextRun(new Date(ms))?.getTime() ?? null,
  };
}
