import { z } from 'zod';
import { CHECK_KINDS } from '../checks/registry.js';
import { commonCheckShape, timingShape } from '../checks/settings.js';
import { windowsSchema } from '../windows/schema.js';
import { fleetStageShape, targetsSchema } from './fleet/schema.js';
import { command, duration, durationAboveZero } from './schema-parts.js';

const commandTimeout = durationAboveZero('it limits each deploy and rollback command (leave it out for the 10m default)');

/**
 * The plan file as written (schema v1). This validates shape only; `normalise.ts` applies
 * defaults and converts units. `schema.json` is generated from this, so descriptions here are
 * what editors show.
 */

/** One check: the shared keys plus its kind's own; `type` may be left out for http (when `url` is given). */
function checkSchemaOf(type: string, shape: z.ZodObject<z.ZodRawShape>) {
  const typeKey = type === 'http' ? z.literal('http').optional() : z.literal(type);
  return z
    .strictObject({ type: typeKey.describe(type === 'http' ? 'Check kind. Default http.' : 'Check kind.'), ...commonCheckShape, ...shape.shape })
    .describe(`A check of type ${type}.`);
}

const kindSchemas = Object.entries(CHECK_KINDS).map(([type, kind]) => checkSchemaOf(type, kind.schema));
export const checkSchema = z
  .union(kindSchemas as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]])
  .describe(`A check: type ${Object.keys(CHECK_KINDS).join(', ')}; see docs/checks.md.`)
  // One definition in schema.json, referred to wherever a check may stand (`health:`, `checks:`, a stage's `checks:`).
  .meta({ id: 'check' }) as z.ZodType<RawCheck>;

export type RawCheck = { type?: string; name?: string } & z.infer<z.ZodObject<typeof commonCheckShape>> & Record<string, unknown>;

const checkName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'must be letters, digits, _ . or -, starting with a letter or digit' });
const argName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a letter or _ followed by letters, digits or _' });

const checkByName = z.string().min(1).describe('Name of a check under the top-level `checks:`.');
const checkUse = z.strictObject({
  use: z.string().min(1).describe('Name of a check under the top-level `checks:`.'),
  with: z
    .record(argName, z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe('Arguments for this stage, used in the check as ${args.NAME}.'),
});

export const checkRefSchema = z.union([checkByName, checkUse]).describe('A named check, by name or as { use: NAME, with: { ARG: VALUE } }.');

/** A stage's `checks:` entry: a named check, or one written in place (as under `health:`). Flat, so a wrong entry is described as the kind it looks like. */
const stageCheckEntry = z
  .union([checkByName, checkUse, checkSchema])
  .describe('A named check (NAME, or { use: NAME, with: { ARG: VALUE } }), or a check written in place, e.g. { url: … }.');

const checkRefs = z.array(checkRefSchema);

export const stageSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .regex(/^[^\s].*$/, { message: 'must not start with white space' })
      .describe('Unique stage name.'),
    deploy: command.describe('Shell command that deploys this stage.'),
    rollback: command.optional().describe('Shell command that undoes this stage.'),
    soak: duration.optional().describe('How long to watch the stage after its deploy succeeds.'),
    timeout: commandTimeout.optional().describe('Limit for this stage’s deploy or rollback command.'),
    checks: z
      .array(stageCheckEntry)
      .optional()
      .describe('Checks run during the soak, after `defaults.checks`: named ones (from the top-level `checks:`) or written in place.'),
    health: z.array(checkSchema).optional().describe('Inline checks run during the soak.'),
    pause: duration.optional().describe('Wait this long after the stage passed before the next stage starts (interruptible).'),
    approval: z
      .union([
        z.boolean(),
        z.strictObject({
          timeout: durationAboveZero('a gate that expires at once could never be decided (leave it out for no limit)')
            .optional()
            .describe('How long the gate stays open; after it, promote is refused. Default: no limit.'),
          onTimeout: z.enum(['abort', 'fail']).optional().describe('What an expired gate means: abort (roll back; default) or fail (leave as is).'),
          message: z.string().min(1).optional().describe('Shown at the gate: what the approver should look at.'),
        }),
      ])
      .optional()
      .describe('Stop after this stage passed and wait for `rollout promote` or `rollout abort` (a person decides).'),
    ...fleetStageShape(checkRefs),
  })
  .describe('One step of the rollout.');

export const NOTIFY_EVENTS = ['run.started', 'stage.passed', 'stage.failed', 'gate.opened', 'gate.decided', 'rollback.finished', 'run.finished'] as const;

export const webhookSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^(https?:\/\/|\$\{\s*(env|vars)\.)/i, { message: 'must be an http:// or https:// URL, or ${env.NAME}' })
      .describe('Webhook URL to POST JSON to (Slack and Teams incoming webhooks work). May use ${env.NAME}.'),
    events: z
      .array(z.enum(NOTIFY_EVENTS))
      .min(1)
      .optional()
      .describe('Events to send. Default: all of run.started, stage.passed, stage.failed, gate.opened, gate.decided, rollback.finished, run.finished.'),
    headers: z.record(z.string(), z.string()).optional().describe('Request headers. Values may use ${vars.NAME} and ${env.NAME}.'),
    timeout: durationAboveZero('it is the deadline of each delivery (leave it out for the 5s default)')
      .optional()
      .describe('Deadline for one delivery attempt. Default 5s.'),
  })
  .describe("A webhook notified of the run's progress.");

const varName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, { message: 'must be a letter or _ followed by letters, digits, _ . or -' });

export const planSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors.'),
    version: z.literal(1).optional().describe('Plan format version.'),
    name: z.string().min(1).optional().describe('Name shown in output and state.'),
    vars: z
      .record(varName, z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe('Values passed to commands as ROLLOUT_VAR_<NAME>; override with --var NAME=VALUE.'),
    defaults: z
      .strictObject({
        soak: duration.optional().describe('Default soak. Default 30s.'),
        timeout: commandTimeout.optional().describe('Default command timeout. Default 10m.'),
        health: z.strictObject(timingShape).optional().describe('Timing defaults for every check, inline or named.'),
        checks: checkRefs.optional().describe('Named checks every stage runs.'),
      })
      .optional()
      .describe('Settings every stage inherits and may override.'),
    onFailure: z.enum(['rollback', 'stop']).optional().describe('What to do when a stage fails. Default rollback.'),
    onInconclusive: z
      .enum(['fail', 'pass', 'pause'])
      .optional()
      .describe(
        'What a stage whose checks ended inconclusive (no data, too few samples) does: fail (default), pass, or pause at a gate for a person to decide.',
      ),
    checks: z.record(checkName, checkSchema).optional().describe('Named checks, defined once and listed by stages (`checks:`) or `defaults.checks`.'),
    onInterrupt: z
      .enum(['stop', 'rollback'])
      .optional()
      .describe('What to do on SIGINT/SIGTERM (CI cancel): stop (default) or roll back what was deployed, for runners with a long grace period.'),
    killGrace: duration.optional().describe('After SIGTERM, how long a command being stopped (timeout or cancel) gets before SIGKILL. Default 5s.'),
    rollback: command.optional().describe('One command that undoes everything, used instead of per-stage rollbacks.'),
    secrets: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be an environment variable name' }))
      .optional()
      .describe('Environment variables whose values are redacted as *** in all output, state and lock files.'),
    state: z.string().min(1).optional().describe('State file path, relative to the plan file, or postgres://… for shared state. Default .rollout/state.json.'),
    key: z.string().min(1).optional().describe("The record's key in a shared state store. Default: the plan's name."),
    windows: windowsSchema.optional(),
    targets: targetsSchema.optional(),
    stages: z.array(stageSchema).min(1, { message: 'a plan needs at least one stage' }).describe('Stages, in order.'),
    notify: z.array(webhookSchema).optional().describe('Webhooks told about the run; a failing webhook never affects the rollout.'),
  })
  .superRefine((plan, ctx) => {
    const seen = new Map<string, number>();
    plan.stages.forEach((stage, index) => {
      const first = seen.get(stage.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', index, 'name'],
          message: `duplicate stage name "${stage.name}" (also stages.${first}.name)`,
        });
      } else seen.set(stage.name, index);
    });
  })
  .describe('A rolloutctl plan: ordered stages, each deployed then watched.');

export type RawPlan = z.infer<typeof planSchema>;
export type RawStage = z.infer<typeof stageSchema>;
export type RawCheckRef = z.infer<typeof checkRefSchema>;
export type RawStageCheck = RawCheckRef | RawCheck;
export type RawWebhook = z.infer<typeof webhookSchema>;
