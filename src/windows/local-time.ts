import { TZDate } from '@date-fns/tz';

/** A calendar day in a time zone; months are 1-based. */
export interface LocalDay {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/** The local calendar day that instant `ms` falls on in `zone`. */
export function localDay(ms: number, zone: string): LocalDay {
  const date = new TZDate(ms, zone);
  return { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate(), weekday: date.getDay() };
}

/** `offset` days after `day` (calendar arithmetic, so DST days are not 24 h off). */
export function addDays(day: LocalDay, offset: number): LocalDay {
  const utc = new Date(Date.UTC(day.year, day.month - 1, day.day + offset));
  return { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate(), weekday: utc.getUTCDay() };
}

/**
 * The instant of wall-clock `minutes` after midnight on `day` in `zone`. A time the spring-forward
 * gap skips maps to the same wall time after the gap (02:30 → 03:30), as clocks on the wall do;
 * an ambiguous autumn time maps to its first occurrence.
 */
export function instantAt(day: LocalDay, minutes: number, zone: string): number {
  return new TZDate(day.year, day.month - 1, day.day, Math.floor(minutes / 60), minutes % 60, 0, zone).getTime();
}

/** True when the runtime knows `zone` (an IANA name such as Europe/Berlin). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `2026-12-19 15:00 CET` style text for messages. */
export function formatLocal(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    weekday: 'short',
    timeZoneName: 'short',
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}
