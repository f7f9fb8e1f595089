import { z } from 'zod';
import { command, duration, durationAboveZero, wholeNumber } from '../schema-parts.js';

/**
 * The plan keys of fleets (docs/fleets.md): the top-level `targets:` and a stage's fleet keys.
 * Shape only; selection, batches and budgets are worked out in normalise-fleet.ts.
 */

/** Same charset as check names: they appear in output prefixes, state keys and `ROLLOUT_TARGET`. */
export const targetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'must be letters, digits, _ . or -, starting with a letter or digit' });

/** What `${target.NAME}` can name (the placeholder's own charset). */
export const attributeName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, { message: 'must be a letter or _ followed by letters, digits, _ . or -' });

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const targetMap = z
  .record(
    targetName,
    z
      .record(attributeName, scalar)
      .nullable()
      .describe('The target’s attributes (strings; numbers and booleans are taken as text): `${target.NAME}` in checks, ROLLOUT_TARGET_<NAME> in commands.'),
  )
  .describe('Deploy targets (hosts, regions, clusters…), each named once with its attributes; stages select them with `targets:`. See docs/fleets.md.');

/** `targets: { from: ./list-hosts.sh }`: a dynamic inventory, run when the plan is loaded (inventory.ts). */
export const inventorySchema = z
  .strictObject({
    from: command.describe(
      'Command (run with /bin/sh in the plan’s directory, vars as ROLLOUT_VAR_*) that prints the targets as JSON lines: {"name": …, ATTR: string | number | boolean}.',
    ),
    timeout: durationAboveZero('it limits the inventory command (leave it out for the 30s default)')
      .optional()
      .describe('Limit for the inventory command. Default 30s.'),
  })
  .describe('Targets listed by a command each time the plan is loaded (a dynamic inventory). See docs/fleets.md.');

// A map whose entries are wrong is still described as a map: the inventory branch then misses `from`
// and has unknown keys, and pickUnionBranch drops it. On a tie, `{ from: … }` is an inventory.
export const targetsSchema = z.union([inventorySchema, targetMap]);

export type RawTargetMap = z.infer<typeof targetMap>;
export type RawInventory = z.infer<typeof inventorySchema>;

/** `"25%"`: a percentage, above 0 where `positive`. */
export const PERCENT_PATTERN = /^(\d+(?:\.\d+)?)%$/;
const percent = (min: 'above zero' | 'zero') =>
  z
    .string()
    .regex(PERCENT_PATTERN, { message: 'must be a whole number or a percentage like "25%"', abort: true })
    .refine((text) => Number.parseFloat(text) <= 100, { message: 'must be at most 100%' })
    .refine((text) => min === 'zero' || Number.parseFloat(text) > 0, { message: 'must be more than 0%: a batch deploys at least one target' });

const batchCount = z.number().int({ message: 'must be a whole number' }).min(1, { message: 'must be at least 1: a batch deploys at least one target' });
const batchEntry = z.union([batchCount, percent('above zero')]).describe('A batch size: a count, or "N%" of the stage’s targets (rounded up, at least 1).');

export const amountSchema = z.union([wholeNumber(0), percent('zero')]).describe('A count of targets, or "N%" of them.');

const selection = z
  .union([
    z.literal('*').describe('Every target no other stage selects by name or match.'),
    z.array(targetName).min(1, { message: 'must name at least one target' }).describe('Target names, deployed in this order.'),
    z
      .strictObject({
        match: z
          .record(attributeName, z.union([scalar, z.array(scalar).min(1)]))
          .describe('Attribute values: a target is selected when each attribute named here has one of the values listed.'),
      })
      .describe('Targets selected by their attributes, in the order `targets:` names them.'),
  ])
  .describe('Which targets this stage deploys, one after another in batches: a list of names, { match: { ATTR: [VALUES] } }, or "*" (the rest).');

/** The keys a stage has only with `targets:` (a stage without targets is one unit, as before fleets). */
export const FLEET_KEYS = [
  'batch',
  'maxParallel',
  'bake',
  'firstBake',
  'failureBudget',
  'onBudgetExceeded',
  'onTargetFailure',
  'verify',
  'fleetChecks',
] as const;

export function fleetStageShape<Refs extends z.ZodType>(checkRefs: Refs) {
  return {
    targets: selection.optional(),
    batch: z
      // Flat, so a wrong list entry is described as one, not the list as "not a number".
      .union([batchCount, percent('above zero'), z.array(batchEntry).min(1)])
      .optional()
      .describe('Batch sizes: a count, "N%", or a list whose last entry repeats ([1, "25%"]). Default: all targets in one batch.'),
    maxParallel: wholeNumber(1).optional().describe('Deploys running at once inside a batch. Default: the largest batch.'),
    bake: duration.optional().describe('Wait after each batch, while `fleetChecks` are measured. Default 0.'),
    firstBake: duration.optional().describe('The wait after the first batch. Default: `bake`.'),
    failureBudget: z
      .strictObject({
        perBatch: amountSchema.optional().describe('Failed targets tolerated in one batch (a % of the batch, rounded down). Default: no per-batch limit.'),
        total: amountSchema.optional().describe('Failed targets tolerated over the stage (a % of its targets, rounded down); exceeded on the next. Default 0.'),
        minHealthy: amountSchema
          .optional()
          .describe('Fewest healthy targets (a % of the stage’s targets, rounded up), checked before each batch starts and after it ends. Default: none.'),
      })
      .optional()
      .describe('Failures the stage tolerates; the budget is exceeded on failure N+1.'),
    onBudgetExceeded: z
      .enum(['rollback-stage', 'rollback-all', 'stop'])
      .optional()
      .describe('When the budget is exceeded: undo this stage’s targets, undo everything, or stop. Default rollback-all (stop when onFailure: stop).'),
    onTargetFailure: z.enum(['rollback', 'keep']).optional().describe('A failed target: rolled back at once (default) or kept as it is, for debugging.'),
    verify: z
      .union([
        command.describe('Command that must exit 0 for a deployed target to count as updated.'),
        z.strictObject({
          run: command.describe('Command that prints what the target runs.'),
          expect: z.string().min(1).optional().describe('Text the command must print (trimmed). Default: exit 0 is enough.'),
          timeout: durationAboveZero('it limits each verify command (leave it out for the stage’s command timeout)')
            .optional()
            .describe('Limit for one verify command. Default: the stage’s timeout.'),
        }),
      ])
      .optional()
      .describe('Proof a target runs the new version, after its deploy and before its checks.'),
    fleetChecks: checkRefs.optional().describe('Named checks measured once for the whole stage, during each bake.'),
  };
}
