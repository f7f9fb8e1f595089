import { escapeControl } from '../../output/escape-control.js';
import type { Target } from '../types.js';
import { attributeName, targetName } from './schema.js';
import { normaliseTargets } from './targets.js';

const LINE = /^line (\d+) /;

/** The most targets an inventory may list: past it, it is surely printing something else. */
export const MAX_INVENTORY_TARGETS = 100_000;

/**
 * The targets of an inventory command's stdout: JSON lines, each `{"name": …, ATTR: string |
 * number | boolean}`, blank lines ignored. Held to the rules of the map form (normaliseTargets):
 * the name's charset, attribute names, two attributes with one environment name. Each problem
 * names the output line it is about; a line in trouble is left out, or (a wrong attribute) kept
 * without that attribute, so one bad line does not also make every stage selecting it wrong.
 */
export function parseInventory(stdout: string): { targets: Target[]; problems: string[] } {
  const problems: string[] = [];
  const written: Record<string, Record<string, string | number | boolean>> = Object.create(null);
  const lineOf = new Map<string, number>();
  const lines = stdout.split('\n');
  let listed = 0;
  for (const [index, text] of lines.entries()) {
    const line = index + 1;
    if (text.trim() === '') continue;
    if (++listed > MAX_INVENTORY_TARGETS) {
      problems.push(`the inventory command printed more than ${MAX_INVENTORY_TARGETS.toLocaleString('en-US')} targets (line ${line}); that is the limit`);
      break;
    }
    const at = (message: string) => problems.push(`line ${line} of its output ${message}`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      at(`is not JSON: ${quote(text)}`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      at(
        `must be a JSON object like {"name": "eu-1", "host": "eu-1.internal"}, not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}`,
      );
      continue;
    }
    const { name, ...rest } = value as Record<string, unknown>;
    if (typeof name !== 'string') {
      at(
        name === undefined
          ? 'has no "name"'
          : `has a "name" that is ${name === null ? 'null' : `a JSON ${Array.isArray(name) ? 'list' : typeof name}`}; it must be text`,
      );
      continue;
    }
    const named = targetName.safeParse(name);
    if (!named.success) {
      at(`names a target ${quote(name)}: its name ${named.error.issues[0]?.message ?? 'is not valid'}`);
      continue;
    }
    const first = lineOf.get(name);
    if (first !== undefined) {
      at(`lists target "${name}" again (first on line ${first}); each target is listed once`);
      continue;
    }
    lineOf.set(name, line);
    const attributes: Record<string, string | number | boolean> = Object.create(null);
    for (const [key, attribute] of Object.entries(rest)) {
      const keyed = attributeName.safeParse(key);
      if (!keyed.success || key === '__proto__') {
        at(`has an attribute ${quote(key)} whose name ${keyed.success ? 'is not allowed' : (keyed.error.issues[0]?.message ?? 'is not valid')}`);
      } else if (typeof attribute !== 'string' && typeof attribute !== 'boolean' && !(typeof attribute === 'number' && Number.isFinite(attribute))) {
        at(
          `gives "${name}" an attribute "${key}" that is ${attribute === null ? 'null' : Array.isArray(attribute) ? 'a list' : `a JSON ${typeof attribute}`}; attributes are text, numbers or true/false`,
        );
      } else attributes[key] = attribute;
    }
    written[name] = attributes;
  }
  // The map form's own rules, said about the line the target came from.
  const targets = normaliseTargets(written, ({ path, message }) => {
    const line = lineOf.get(String(path[1])) ?? 0;
    // In output order, with the line's other problems.
    const after = problems.findIndex((p) => Number(LINE.exec(p)?.[1] ?? Number.POSITIVE_INFINITY) > line);
    problems.splice(after === -1 ? problems.length : after, 0, `line ${line} of its output: ${message}`);
  });
  if (listed === 0) problems.push('the inventory command printed no targets (one JSON object per line, like {"name": "eu-1", "host": "eu-1.internal"})');
  return { targets, problems };
}

/** Text from the command, quoted and cut short: control characters shown, never obeyed. */
export function quote(text: string, max = 120): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return escapeControl(JSON.stringify(cut));
}
