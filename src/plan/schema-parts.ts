import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';

/** Schema pieces shared by the plan schema and the check kinds' own schemas. */
const DURATION_MESSAGE = 'expected a duration like 250ms, 30s, 5m, 1h or 1m30s';

export const duration = z
  .union([
    z.number().nonnegative({ message: 'must not be negative' }),
    z
      .string()
      .regex(new RegExp(DURATION_PATTERN), { message: DURATION_MESSAGE })
      .refine((text) => parseDuration(text) !== undefined, { message: DURATION_MESSAGE }),
  ])
  .describe('A duration: 250ms, 30s, 5m, 1h, 1m30s; a bare number means seconds.');

/**
 * `interval: 0` used to pass and poll every millisecond. It is refused; any positive interval is
 * kept as written (existing plans and tests use 1ms–50ms on purpose), and docs/checks.md advises 1s+.
 */
export const interval = duration.refine((value) => (parseDuration(value) ?? 0) > 0, {
  message: 'must be longer than 0 (checks are measured one interval apart; 5s is the default)',
});

export const positiveDuration = duration.refine((value) => (parseDuration(value) ?? 0) > 0, { message: 'must be longer than 0' });

/** A duration where 0 makes no sense (`timeout: 0` used to pass, then every deploy "timed out after 0s"); `why` says so. */
export const durationAboveZero = (why: string) => duration.refine((value) => (parseDuration(value) ?? 0) > 0, { message: `must be longer than 0: ${why}` });

export const command = z.string().trim().min(1, { message: 'must be a non-empty shell command' });

export const httpStatus = z.number().int({ message: 'must be a whole number' }).min(100, { message: 'must be an HTTP status (100–599)' }).max(599, {
  message: 'must be an HTTP status (100–599)',
});

export const wholeNumber = (min: number) =>
  z
    .number()
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` });
