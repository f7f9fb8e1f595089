import type { PlaceholderRef } from '../checks/kind.js';
import { closest } from './suggest.js';
import type { Target } from './types.js';

/** `${vars.X}`, `${env.X}`, `${stage.name}`, `${args.X}`, `${target.X}` (white space inside the braces allowed). */
const PLACEHOLDER = /\$\{\s*(vars|env|stage|args|target)\.([A-Za-z_][A-Za-z0-9_.-]*)\s*\}/g;

export interface Scopes {
  vars: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
  stage?: { name: string; index: number } | null;
  args?: Readonly<Record<string, string>> | null;
  /** The target a fleet stage's check is filled in for (`${target.name}`, `${target.ATTR}`); absent or null elsewhere. */
  target?: Target | null;
}

/**
 * Replaces placeholders with their values (passed through `escape`, which knows where the text
 * goes). Unknown names are reported and left as written. `keep` leaves those scopes untouched,
 * e.g. `env` for a display form that must not show secrets.
 */
export function substitute(
  text: string,
  scopes: Scopes,
  report: (message: string) => void,
  options: { keep?: PlaceholderRef['scope'][]; escape?: (value: string, ref: PlaceholderRef) => string } = {},
): string {
  return text.replace(PLACEHOLDER, (whole, scope: PlaceholderRef['scope'], name: string) => {
    if (options.keep?.includes(scope)) return whole;
    const value = lookup(scopes, scope, name);
    if (typeof value !== 'string') {
      report(value.missing);
      return whole;
    }
    return options.escape ? options.escape(value, { scope, name }) : value;
  });
}

function lookup(scopes: Scopes, scope: PlaceholderRef['scope'], name: string): string | { missing: string } {
  const whole = `\${${scope}.${name}}`;
  switch (scope) {
    case 'vars':
      return Object.hasOwn(scopes.vars, name) ? (scopes.vars[name] as string) : { missing: `${whole}: the plan declares no var "${name}"` };
    case 'env': {
      const value = Object.hasOwn(scopes.env, name) ? scopes.env[name] : undefined;
      return value ?? { missing: `${whole}: environment variable ${name} is not set` };
    }
    case 'stage':
      if (!scopes.stage) return { missing: `${whole}: only checks that run in a stage can use \${stage.…}` };
      if (name === 'name') return scopes.stage.name;
      if (name === 'index') return String(scopes.stage.index + 1);
      return { missing: `${whole}: a stage has \${stage.name} and \${stage.index}` };
    case 'args':
      if (scopes.args && Object.hasOwn(scopes.args, name)) return scopes.args[name] as string;
      return { missing: `${whole}: no argument "${name}" is given; list the check as {use: …, with: {${name}: …}} in the stage` };
    case 'target': {
      const target = scopes.target;
      if (!target)
        return {
          missing: `${whole}: only the checks of a stage with \`targets:\` are measured per target (not fleetChecks, notify or a stage without targets)`,
        };
      if (name === 'name') return target.name;
      if (Object.hasOwn(target.attributes, name)) return target.attributes[name] as string;
      const hint = closest(name, Object.keys(target.attributes));
      return { missing: `${whole}: target "${target.name}" has no attribute "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}` };
    }
  }
}
