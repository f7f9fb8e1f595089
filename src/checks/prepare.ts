import type { Plan } from '../plan/types.js';
import { checkKind } from './registry.js';

export interface PreparedProblem {
  path: (string | number)[];
  message: string;
}

/**
 * The load-time step after normalisation: each kind may read files and the environment here (the
 * http kind reads `ca:` files and picks a proxy), so a wrong path is a plan error (exit 2) rather
 * than a failing check, and normalisation itself stays pure. Returns a new plan.
 */
export function prepareChecks(
  plan: Plan,
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; plan: Plan } | { ok: false; problems: PreparedProblem[] } {
  const problems: PreparedProblem[] = [];
  const seen = new Set<string>();
  const stages = plan.stages.map((stage) => ({
    ...stage,
    checks: stage.checks.map((check) => {
      const kind = checkKind(check.kind);
      if (!kind.prepare) return check;
      const spec = kind.prepare(check.spec, {
        dir: plan.dir,
        env,
        problem: (key, message) => {
          const path = [...check.source, ...key];
          const id = `${path.join('.')}\0${message}`;
          if (!seen.has(id)) problems.push({ path, message });
          seen.add(id);
        },
      });
      return { ...check, spec };
    }),
  }));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, plan: { ...plan, stages } };
}

/** Plan-time warnings from the kinds (e.g. TLS verification off), one line each. */
export function checkWarnings(plan: Pick<Plan, 'stages'>): string[] {
  return plan.stages.flatMap((stage) =>
    stage.checks.flatMap((check) => (checkKind(check.kind).warnings?.(check.spec) ?? []).map((text) => `${stage.name}: check ${check.name} ${text}`)),
  );
}
