import { checkWarnings } from '../checks/prepare.js';
import type { Context } from '../context.js';
import { addBuildkiteRedactions } from '../output/buildkite-agent.js';
import { maskCommands } from '../output/github-commands.js';
import type { Plan } from '../plan/types.js';
import { varEnvName } from '../plan/vars.js';
import { MIN_SECRET_LENGTH, type Redactor, redactorFor } from './redact.js';
import { secretVars } from './secret-name.js';

/**
 * The run's redactor, set up before anything else is printed: under GitHub Actions each secret is
 * masked with `::add-mask::` first, so even output we do not control (a deploy command's) is masked
 * by the runner too. Masks go to stderr (the runner reads both streams): stdout stays the results,
 * so `rollout run --json | jq` parses and no secret is ever written there.
 */
export function setUpSecrets(plan: Pick<Plan, 'secrets' | 'vars'>, ctx: Pick<Context, 'env' | 'term'>): { redactor: Redactor; warnings: string[] } {
  const { redactor, tooShort } = redactorFor({ names: plan.secrets, env: ctx.env, vars: plan.vars });
  if (ctx.env.GITHUB_ACTIONS === 'true')
    for (const line of maskCommands(redactor.values.filter((value) => !value.includes('\n')))) ctx.term.err.write(`${line}\n`);
  const warnings = tooShort.map((what) => `${what} is shorter than ${MIN_SECRET_LENGTH} characters and is not redacted`);
  if (ctx.env.BUILDKITE === 'true') {
    const values = Object.fromEntries([
      ...plan.secrets.flatMap((name) => (redactor.values.includes(ctx.env[name] ?? '') ? [[name, ctx.env[name] ?? '']] : [])),
      ...secretVars(plan.vars).flatMap(([name, value]) => (redactor.values.includes(value) ? [[varEnvName(name), value]] : [])),
    ]);
    const warning = addBuildkiteRedactions(values, ctx.env);
    if (warning) warnings.push(warning);
  }
  return { redactor, warnings };
}

/** A warning for every check that skips certificate verification (and any other kind warning). */
export function insecureWarnings(plan: Pick<Plan, 'stages'>): string[] {
  return checkWarnings(plan);
}
