import { describe, expect, it } from 'vitest';
import { checkWindows, compileWindows, type Windows } from '../../src/windows/evaluate.js';
import type { RawWindows } from '../../src/windows/schema.js';

function windows(raw: RawWindows): Windows {
  const compiled = compileWindows(raw);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.windows;
}

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const berlinWorkdays: RawWindows = { timezone: 'Europe/Berlin', allow: [{ days: ['mon-thu'], from: '09:00', to: '16:00' }] };

describe('deploy windows', () => {
  // [what, windows, now (UTC), open?, next open (UTC) when blocked]
  const cases: [string, RawWindows, string, boolean, string | null][] = [
    ['inside an allow window (Wed 10:00 CET)', berlinWorkdays, '2026-11-25T09:00:00Z', true, null],
    ['the window end is exclusive (Thu 16:00 CET)', berlinWorkdays, '2026-11-26T15:00:00Z', false, '2026-11-30T08:00:00.000Z'],
    ['the last minute is inside (Thu 15:59 CET)', berlinWorkdays, '2026-11-26T14:59:00Z', true, null],
    ['Friday is not allowed; next is Monday 09:00 CET', berlinWorkdays, '2026-11-27T10:00:00Z', false, '2026-11-30T08:00:00.000Z'],
    ['before the window opens the same day', berlinWorkdays, '2026-11-25T07:59:00Z', false, '2026-11-25T08:00:00.000Z'],
    // Europe/Berlin leaves summer time on Sun 2026-10-25 (03:00 CEST → 02:00 CET): 09:00 is 08:00Z that day.
    [
      'autumn DST day, Berlin: 09:00 CET is 08:00Z',
      { timezone: 'Europe/Berlin', allow: [{ from: '09:00', to: '16:00' }] },
      '2026-10-25T07:30:00Z',
      false,
      '2026-10-25T08:00:00.000Z',
    ],
    ['the day before, 09:00 CEST is 07:00Z', { timezone: 'Europe/Berlin', allow: [{ from: '09:00', to: '16:00' }] }, '2026-10-24T07:30:00Z', true, null],
    // Berlin enters summer time Sun 2026-03-29 02:00 → 03:00: a window from 02:30 opens at 03:30 CEST (01:30Z).
    [
      'spring DST gap, Berlin: 02:30 does not exist',
      { timezone: 'Europe/Berlin', allow: [{ from: '02:30', to: '04:00' }] },
      '2026-03-29T01:15:00Z',
      false,
      '2026-03-29T01:30:00.000Z',
    ],
    // America/New_York enters summer time Sun 2026-03-08: Fri 09:00 EST = 14:00Z, Mon 09:00 EDT = 13:00Z.
    [
      'New York, across the spring change',
      { timezone: 'America/New_York', allow: [{ days: ['mon-fri'], from: '09:00', to: '17:00' }] },
      '2026-03-06T22:30:00Z',
      false,
      '2026-03-09T13:00:00.000Z',
    ],
    // …and leaves it Sun 2026-11-01: Mon 09:00 EST = 14:00Z.
    [
      'New York, across the autumn change',
      { timezone: 'America/New_York', allow: [{ days: ['mon-fri'], from: '09:00', to: '17:00' }] },
      '2026-10-30T22:30:00Z',
      false,
      '2026-11-02T14:00:00.000Z',
    ],
    [
      'a window across midnight holds the next morning',
      { timezone: 'UTC', allow: [{ days: ['fri'], from: '22:00', to: '06:00' }] },
      '2026-11-28T03:00:00Z',
      true,
      null,
    ],
    [
      '…and is closed after it',
      { timezone: 'UTC', allow: [{ days: ['fri'], from: '22:00', to: '06:00' }] },
      '2026-11-28T07:00:00Z',
      false,
      '2026-12-04T22:00:00.000Z',
    ],
    [
      'a deny inside an allow',
      { timezone: 'UTC', allow: [{ days: ['mon-fri'], from: '09:00', to: '17:00' }], deny: [{ from: '12:00', to: '13:00', reason: 'lunch' }] },
      '2026-11-25T12:30:00Z',
      false,
      '2026-11-25T13:00:00.000Z',
    ],
    [
      'a freeze by dates is inclusive of its last day',
      { timezone: 'Europe/Berlin', deny: [{ from: '2026-12-19', to: '2027-01-04', reason: 'holiday freeze' }] },
      '2027-01-04T20:00:00Z',
      false,
      '2027-01-04T23:00:00.000Z',
    ],
    [
      'a freeze ends into the next allow window',
      { ...berlinWorkdays, deny: [{ from: '2026-12-19', to: '2027-01-04', reason: 'holiday freeze' }] },
      '2026-12-21T09:00:00Z',
      false,
      '2027-01-05T08:00:00.000Z',
    ],
    [
      'a cron freeze: Friday 15:00 for 66h reaches Monday 09:00',
      { timezone: 'Europe/Berlin', deny: [{ cron: '0 15 * * fri', duration: '66h', reason: 'weekend' }] },
      '2026-11-28T12:00:00Z',
      false,
      '2026-11-30T08:00:00.000Z',
    ],
    ['…and is open before it starts', { timezone: 'Europe/Berlin', deny: [{ cron: '0 15 * * fri', duration: '66h' }] }, '2026-11-27T13:59:00Z', true, null],
  ];

  it.each(cases)('%s', (_what, raw, now, open, nextOpen) => {
    const verdict = checkWindows(windows(raw), at(now));
    expect(verdict.open).toBe(open);
    if (!verdict.open) expect(iso(verdict.nextOpenMs)).toBe(nextOpen);
  });

  it('names the blocking rule and the next allowed time in local time', () => {
    const verdict = checkWindows(
      windows({ ...berlinWorkdays, deny: [{ from: '2026-12-19', to: '2027-01-04', reason: 'holiday freeze' }] }),
      at('2026-12-21T09:00:00Z'),
    );
    expect(verdict).toMatchObject({ open: false, rule: 'deny "holiday freeze" (2026-12-19 – 2027-01-04)' });
    if (!verdict.open) expect(verdict.message).toBe('blocked by deny "holiday freeze" (2026-12-19 – 2027-01-04); next allowed Tue 2027-01-05 09:00 GMT+1');
  });

  it('says so when no allowed time comes within a year', () => {
    const verdict = checkWindows(windows({ deny: [{ from: '2026-01-01', to: '2028-01-01' }] }), at('2026-06-01T00:00:00Z'));
    expect(verdict).toMatchObject({ open: false, nextOpenMs: null });
  });

  it('reads dates YAML turned into Date objects as the days the user wrote', () => {
    const verdict = checkWindows(windows({ deny: [{ from: new Date('2026-12-19'), to: new Date('2026-12-20') }] }), at('2026-12-20T23:00:00Z'));
    expect(verdict).toMatchObject({ open: false, nextOpenMs: at('2026-12-21T00:00:00Z') });
  });

  const problems: [string, RawWindows, string][] = [
    ['unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone: unknown time zone Mars/Olympus'],
    ['bad cron', { deny: [{ cron: 'every friday', duration: '2h' }] }, 'deny.0.cron: not a valid cron expression'],
    ['cron without duration', { deny: [{ cron: '0 15 * * fri' }] }, 'deny.0.duration: a cron rule needs both'],
    ['time mixed with date', { allow: [{ from: '09:00', to: '2026-12-01' }] }, 'allow.0.from: from and to must both be times'],
    ['range ends before it starts', { deny: [{ from: '2026-12-19', to: '2026-12-01' }] }, 'deny.0.to: ends (2026-12-01) before it starts'],
    ['wait without maxWait', { onBlocked: 'wait' }, 'maxWait: onBlocked: wait needs maxWait'],
    ['no from/to', { allow: [{ days: ['mon'] }] }, 'allow.0.from: a rule needs from and to'],
  ];
  it.each(problems)('refuses %s with a message naming the key', (_what, raw, expected) => {
    const compiled = compileWindows(raw);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('\n')).toContain(expected);
  });
});
