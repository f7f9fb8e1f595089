import { z } from 'zod';

const DAY = '(mon|tue|wed|thu|fri|sat|sun)';
export const DAY_PATTERN = new RegExp(`^${DAY}(?:-${DAY})?$`);
export const TIME_PATTERN = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}([ T]([01]\d|2[0-3]):[0-5]\d)?$/;

const text = z.string().min(1);

/**
 * One rule, in one of three shapes (checked when compiled, so each gets a message in the plan's words):
 * recurring `{days?, from: "HH:MM", to: "HH:MM"}`, a date range `{from: 2026-12-19, to: 2027-01-04}`,
 * or a cron start with a length `{cron: "0 15 * * fri", duration: 66h}`.
 */
export const windowRuleSchema = z
  .strictObject({
    days: z
      .array(z.string().regex(DAY_PATTERN, { message: 'must be a day (mon … sun) or a range like mon-thu' }))
      .min(1)
      .optional()
      .describe('Days the rule applies to, e.g. [mon-thu, sat]. Default every day.'),
    from: z.union([text, z.date()]).optional().describe('Start: a wall-clock time "09:00", or a date 2026-12-19 (optionally with a time).'),
    to: z.union([text, z.date()]).optional().describe('End: "16:00" (before `from` means the next day), or a date (inclusive: the whole day).'),
    cron: text.optional().describe('Cron expression (5 fields) for when the rule starts, in the windows time zone.'),
    duration: z.union([z.number().positive(), text]).optional().describe('How long a cron rule lasts, e.g. 66h.'),
    reason: text.optional().describe('Shown when the rule blocks a stage.'),
  })
  .describe('A deploy window rule.');

export const windowsSchema = z
  .strictObject({
    timezone: text.optional().describe('IANA time zone the rules are written in, e.g. Europe/Berlin. Default UTC.'),
    allow: z.array(windowRuleSchema).optional().describe('When set, a stage may start only inside one of these.'),
    deny: z.array(windowRuleSchema).optional().describe('A stage never starts inside one of these (freezes), even inside an allow.'),
    onBlocked: z
      .enum(['fail', 'wait', 'pause'])
      .optional()
      .describe(
        'What a stage outside its window does: fail (stop before it, exit 6; resumable), wait up to maxWait, or pause (stop at a gate, exit 7; `rollout promote` continues once the window is open). Default fail.',
      ),
    maxWait: z.union([z.number().nonnegative(), text]).optional().describe('With onBlocked: wait, the longest to wait for the window to open.'),
  })
  .describe('Deploy windows and freezes, checked each time a stage is about to start.');

export type RawWindowRule = z.infer<typeof windowRuleSchema>;
export type RawWindows = z.infer<typeof windowsSchema>;
