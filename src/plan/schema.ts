import { z } from 'zod';
import { windowsSchema } from '../windows/schema.js';
import { DURATION_PATTERN, parseDuration } from './duration.js';

const DURATION_MESSAGE = 'expected a duration like 250ms, 30s, 5m, 1h or 1m30s';

/**
 * The plan file as written (schema v1). This validates shape only; `normalise.ts` applies
 * defaults and converts units. `schema.json` is generated from this, so descriptions here are
 * what editors show.
 */
const duration = z
  .union([
    z.number().nonnegative(),
    z
      .string()
      .regex(new RegExp(DURATION_PATTERN), { message: DURATION_MESSAGE })
      .refine((text) => parseDuration(text) !== undefined, { message: DURATION_MESSAGE }),
  ])
  .describe('A duration: 250ms, 30s, 5m, 1h, 1m30s; a bare number means seconds.');

const command = z.string().trim().min(1, { message: 'must be a non-empty shell command' });

const status = z.number().int().min(100).max(599);

const healthSettings = {
  interval: duration.optional().describe('Time between polls of a check. Default 5s.'),
  timeout: duration.optional().describe('Deadline for one poll: connect, headers and body. Default 2s.'),
  failureThreshold: z.number().int().min(1).optional().describe('Consecutive failed polls of one check that fail the stage. Default 3.'),
};

export const httpCheckSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('Label in output and state. Default: the URL.'),
    url: z
      .string()
      .regex(/^https?:\/\//i, { message: 'must be an http:// or https:// URL' })
      .describe('URL to GET. May use ${vars.NAME} and ${env.NAME}.'),
    expectStatus: z
      .union([status, z.array(status).min(1)])
      .optional()
      .describe('Accepted status code(s). Default: any 2xx.'),
    headers: z.record(z.string(), z.string()).optional().describe('Request headers. Values may use ${vars.NAME} and ${env.NAME}.'),
    ca: z.string().min(1).optional().describe('PEM file of extra CA certificate(s) to trust for this check, relative to the plan file.'),
    insecure: z.boolean().optional().describe('Skip TLS certificate verification for this check (prints a warning). Default false.'),
    ...healthSettings,
  })
  .describe('An HTTP health check.');

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
    timeout: duration.optional().describe('Limit for this stage’s deploy or rollback command.'),
    health: z.array(httpCheckSchema).optional().describe('Health checks polled during the soak.'),
  })
  .describe('One step of the rollout.');

export const NOTIFY_EVENTS = ['run.started', 'stage.passed', 'stage.failed', 'rollback.finished', 'run.finished'] as const;

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
      .describe('Events to send. Default: all of run.started, stage.passed, stage.failed, rollback.finished, run.finished.'),
    headers: z.record(z.string(), z.string()).optional().describe('Request headers. Values may use ${vars.NAME} and ${env.NAME}.'),
    timeout: duration.optional().describe('Deadline for one delivery attempt. Default 5s.'),
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
        timeout: duration.optional().describe('Default command timeout. Default 10m.'),
        health: z.strictObject(healthSettings).optional().describe('Defaults for every health check.'),
      })
      .optional()
      .describe('Settings every stage inherits and may override.'),
    onFailure: z.enum(['rollback', 'stop']).optional().describe('What to do when a stage fails. Default rollback.'),
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
    state: z.string().min(1).optional().describe('State file path, relative to the plan file. Default .rollout/state.json.'),
    windows: windowsSchema.optional(),
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
export type RawHttpCheck = z.infer<typeof httpCheckSchema>;
export type RawWebhook = z.infer<typeof webhookSchema>;
