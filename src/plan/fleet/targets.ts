import type { Problem } from '../normalise-checks.js';
import type { Target } from '../types.js';
import type { RawInventory, RawTargetMap } from './schema.js';

/** `ROLLOUT_TARGET_<ATTR>`: upper-cased, anything outside [A-Z0-9_] as `_` (as vars). */
export function targetEnvName(attribute: string): string {
  return `ROLLOUT_TARGET_${attribute.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** What a command about one target gets in its environment: its name, each attribute and its batch (1-based). */
export function targetEnv(target: Target, batch: number): Record<string, string> {
  const env: Record<string, string> = { ROLLOUT_TARGET: target.name, ROLLOUT_BATCH: String(batch) };
  for (const [name, value] of Object.entries(target.attributes)) env[targetEnvName(name)] = value;
  return env;
}

/**
 * The plan's `targets:`, in the order written, attributes as text. An attribute called `name`
 * would hide `${target.name}`, and two attributes with one environment name would hide each other.
 */
export function normaliseTargets(raw: RawTargetMap | undefined, problem: (p: Problem) => void): Target[] {
  return Object.entries(raw ?? {}).map(([name, written]) => {
    const attributes: Record<string, string> = {};
    const envNames = new Map<string, string>();
    for (const [key, value] of Object.entries(written ?? {})) {
      const path = ['targets', name, key];
      if (key === 'name') {
        problem({ path, message: 'a target’s name is its key (`${target.name}`, ROLLOUT_TARGET); call this attribute something else' });
        continue;
      }
      const envName = targetEnvName(key);
      const other = envNames.get(envName);
      if (other !== undefined) problem({ path, message: `attribute "${key}" and attribute "${other}" both become ${envName}` });
      envNames.set(envName, key);
      attributes[key] = String(value);
    }
    return { name, attributes };
  });
}

/** `targets: { from: … }` without `timeout:`. */
export const DEFAULT_INVENTORY_TIMEOUT_MS = 30_000;

/** `targets: { from: … }` (a dynamic inventory) rather than a map; a target named `from` is a mapping or null, never text. */
export function isInventory(raw: RawTargetMap | RawInventory | undefined | unknown): raw is RawInventory {
  // Also asked of the file as written (check-plan.ts), where `targets:` may be anything at all.
  return typeof raw === 'object' && raw !== null && typeof (raw as { from?: unknown }).from === 'string';
}
