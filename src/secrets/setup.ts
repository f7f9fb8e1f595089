import type { Context } from '../context.js';
import { maskCommands } from '../output/github-commands.js';
import type { Plan } from '../plan/types.js';
import { MIN_SECRET_LENGTH, type Redactor, redactorFor } from './redact.js';

/**
 * The run's redactor, set up before anything else is printed: under GitHub Actions each secret is
 * masked with `::add-mask::` first, so even output we do not control (a deploy command's) is masked
 * by the runner too. Masks go to stderr (the runner reads both streams): stdout stays the results,
 * so `rollout run --json | jq` parses and no secret is ever written there.
 */
export function setUpSecrets(plan: Pick<Plan, 'secrets'>, ctx: Pick<Context, 'env' | 'term'>): { redactor: Redactor; warnings: string[] } {
  const { redactor, tooShort } = redactorFor({ names: plan.secrets, env: ctx.env });
  if (ctx.env.GITHUB_ACTIONS === 'true')
    for (const line of maskCommands(redactor.values.filter((value) => !value.includes('\n')))) ctx.term.err.write(`${line}\n`);
  const warnings = tooShort.map((name) => `secret ${name} is shorter than ${MIN_SECRET_LENGTH} characters and is not redacted`);
  return { redactor, warnings };
}

/** A warning for every check that skips certificate verification. */
export function insecureWarnings(plan: Pick<Plan, 'stages'>): string[] {
  return plan.stages.flatMap((stage) =>
    stage.health
      .filter((check) => check.insecure && check.url.startsWith('https:'))
      .map((check) => `${stage.name}: check ${check.name} has insecure: true; its TLS certificate is not verified`),
  );
}
