import type { core, z } from 'zod';
import { pickUnionBranch } from './problems.js';

/**
 * What is left of a plan that failed its schema once every invalid part is cut away, so the
 * checks that only run on a valid shape (a URL after substitution, a regex, windows, the state
 * location…) still run on the rest and `validate` reports every problem in one pass, not in rounds.
 *
 * Each round cuts, for every zod issue, the smallest part it is about: an unknown key, an invalid
 * value, or (when a required value is missing) the object holding it; list items are taken out.
 * Then the rest is parsed again, until it passes or nothing more can be cut. Only the parts that
 * pass are checked further; the schema's own problems have been reported already.
 */
export interface Salvaged {
  /** The schema's output for what was kept. */
  data: unknown;
  /** A key path in `data` as it was in the file (list items taken out shift the indexes after them). */
  originalPath(path: readonly (string | number)[]): (string | number)[];
  /** Did the cuts take this original path (or an ancestor) away? */
  wasCut(path: readonly (string | number)[]): boolean;
}

type Container = Record<string, unknown> | unknown[];

/** A value a name elsewhere refers to: kept as a placeholder so its users are not told it does not exist. */
export type Placeholder = (path: readonly (string | number)[]) => unknown;

const MAX_ROUNDS = 64;

export function salvage(schema: z.ZodType, value: unknown, issues: readonly core.$ZodIssue[], placeholder: Placeholder): Salvaged | null {
  const root = structuredClone(value) as unknown;
  if (!isContainer(root)) return null;
  // For every list, each item's index in the file: items taken out must not shift problem positions.
  const indexes = new WeakMap<unknown[], number[]>();
  const cut: string[] = [];
  const placed = new Set<string>();
  let current = issues;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const targets: { container: Container; key: string | number; path: (string | number)[] }[] = [];
    const target = (path: readonly PropertyKey[]) => {
      for (let depth = path.length; depth > 0; depth--) {
        const at = path.slice(0, depth).map((p) => (typeof p === 'number' ? p : String(p)));
        const container = walk(root, at.slice(0, -1));
        const key = at[depth - 1] as string | number;
        if (container === undefined) continue;
        // A missing value cannot be cut: the object that needs it is.
        if ((container as Record<string | number, unknown>)[key] === undefined) continue;
        targets.push({ container, key, path: at });
        return;
      }
    };
    const visit = (issue: core.$ZodIssue, base: readonly PropertyKey[]) => {
      const path = [...base, ...issue.path];
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) target([...path, key]);
      else if (issue.code === 'invalid_union') {
        const branch = pickUnionBranch(issue, path);
        if (branch.kind === 'problem')
          target(path); // an unknown check type: the whole check goes
        else for (const inner of branch.issues) visit(inner, path);
      } else target(path);
    };
    for (const issue of current) visit(issue, []);
    if (targets.length === 0) return null;

    const removals = new Map<unknown[], Set<number>>();
    for (const { container, key, path } of targets) {
      const original = originalOf(root, path, indexes);
      const id = original.join('\0');
      if (!Array.isArray(container) && !placed.has(id)) {
        const stand = placeholder(original);
        if (stand !== undefined) {
          placed.add(id);
          container[key as string] = stand;
          continue;
        }
      }
      cut.push(id);
      if (Array.isArray(container)) removals.set(container, (removals.get(container) ?? new Set()).add(key as number));
      else delete container[key as string];
    }
    for (const [list, gone] of removals) {
      const map = indexes.get(list) ?? list.map((_, i) => i);
      for (const index of [...gone].sort((a, b) => b - a)) {
        list.splice(index, 1);
        map.splice(index, 1);
      }
      indexes.set(list, map);
    }

    const result = schema.safeParse(root);
    if (result.success) {
      return {
        data: result.data,
        originalPath: (path) => originalOf(root, path, indexes),
        wasCut: (path) => {
          const id = path.join('\0');
          return cut.some((c) => id === c || id.startsWith(`${c}\0`));
        },
      };
    }
    current = result.error.issues;
  }
  return null;
}

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

function walk(root: unknown, path: readonly (string | number)[]): Container | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (!isContainer(node)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return isContainer(node) ? node : undefined;
}

/** A path in the cut-down value, with each list index turned back into the item's index in the file. */
function originalOf(root: unknown, path: readonly (string | number)[], indexes: WeakMap<unknown[], number[]>): (string | number)[] {
  let node: unknown = root;
  return path.map((key) => {
    const here = node;
    node = isContainer(here) ? (here as Record<string | number, unknown>)[key] : undefined;
    if (Array.isArray(here) && typeof key === 'number') return indexes.get(here)?.[key] ?? key;
    return key;
  });
}
