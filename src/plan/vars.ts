import { InputError } from '../errors.js';
import { closest } from './suggest.js';

/** `ROLLOUT_VAR_<NAME>`: upper-cased, anything outside [A-Z0-9_] as `_`. */
export function varEnvName(name: string): string {
  return `ROLLOUT_VAR_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** Parses repeated `--var NAME=VALUE` flags. The value is kept verbatim: it never meets a shell. */
export function parseVarFlags(flags: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = Object.create(null);
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new InputError(`--var ${JSON.stringify(flag)}: expected NAME=VALUE`);
    vars[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return vars;
}

/** Plan vars with `--var` overrides applied. Overriding an undeclared var is a typo until proven otherwise. */
export function mergeVars(declared: Record<string, string>, overrides: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = { ...declared };
  for (const [name, value] of Object.entries(overrides)) {
    if (!Object.hasOwn(declared, name)) {
      const hint = closest(name, Object.keys(declared));
      const known = Object.keys(declared);
      throw new InputError(
        `--var ${name}: the plan declares no var "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}. ` +
          (known.length > 0 ? `Declared vars: ${known.join(', ')}.` : 'Declare it under `vars:` in the plan, with a default value.'),
      );
    }
    merged[name] = value;
  }
  return merged;
}
