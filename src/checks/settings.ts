import { z } from 'zod';
import { duration, interval, positiveDuration, wholeNumber } from '../plan/schema-parts.js';

/** Timing keys a check takes from `defaults.health` when it does not set them. */
export const timingShape = {
  interval: interval.optional().describe('Time between measurements of a check. Default 5s; must be longer than 0.'),
  timeout: positiveDuration.optional().describe('Deadline for one measurement. Default 2s.'),
  failureThreshold: wholeNumber(1).optional().describe('Failed measurements in a row that fail the stage. Default 3.'),
};

/** Keys every check has, whatever its kind; the kind adds its own (schema.ts in its folder). */
export const commonCheckShape = {
  name: z.string().min(1, { message: 'must not be empty' }).optional().describe('Label in output and state. Default: the check’s key, or its URL.'),
  ...timingShape,
  pass: z.string().optional().describe('Condition (CEL) over `result` that a good measurement meets, e.g. `result < 0.01`. See docs/checks.md.'),
  fail: z
    .string()
    .optional()
    .describe('Condition (CEL) over `result` that marks a bad measurement. With `pass:` too, a measurement meeting neither is inconclusive.'),
  maxFailures: wholeNumber(0).optional().describe('Failed measurements tolerated over the soak (not necessarily in a row); the next one fails the stage.'),
  minSamples: wholeNumber(1).optional().describe('Decisive (pass or fail) measurements needed; fewer by the end of the soak is inconclusive. Default 1.'),
  initialDelay: duration.optional().describe('Wait this long after the soak starts before the first measurement (lets rate() windows fill). Default 0.'),
  dryRun: z.boolean().optional().describe('Measure, show and record, but never decide the stage. Default false.'),
  onNoData: z.enum(['inconclusive', 'fail', 'pass']).optional().describe('What a measurement with no data counts as. Default inconclusive.'),
  maxConsecutiveErrors: wholeNumber(1)
    .optional()
    .describe('Measurements in a row that could not be taken (server down, bad query) before the stage fails with "could not measure". Default 4.'),
};

export const CHECK_DEFAULTS = {
  intervalMs: 5_000,
  timeoutMs: 2_000,
  failureThreshold: 3,
  minSamples: 1,
  maxConsecutiveErrors: 4,
} as const;
