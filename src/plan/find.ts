import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { InputError } from '../errors.js';

export const SEARCH_PLACES = [
  'rollout.config.yml',
  'rollout.config.yaml',
  'rollout.config.json',
  '.rolloutrc',
  '.rolloutrc.yml',
  '.rolloutrc.yaml',
  '.rolloutrc.json',
  'package.json',
];

export interface PlanLocation {
  path: string;
  /** Key path of the plan inside the file: `['rollout']` for package.json, else empty. */
  root: string[];
}

/**
 * Where the plan is: `--config FILE`, or the first of SEARCH_PLACES in `cwd`. cosmiconfig does
 * the discovery only; the file is parsed by `source.ts`, which keeps positions for errors.
 */
export async function findPlan(cwd: string, configFlag?: string): Promise<PlanLocation> {
  if (configFlag !== undefined) {
    const path = resolve(cwd, configFlag);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new InputError(`plan file not found: ${path} (from --config ${configFlag})`);
    if (!info.isFile()) throw new InputError(`--config ${configFlag}: ${path} is not a file`);
    return { path, root: basename(path) === 'package.json' ? ['rollout'] : [] };
  }
  // The common case costs one stat: the first search place is the one `rollout init` writes, so
  // finding it ends cosmiconfig's search the same way. cosmiconfig (10 CommonJS modules) loads
  // only for the rest.
  const first = resolve(cwd, SEARCH_PLACES[0] as string);
  if ((await stat(first).catch(() => undefined))?.isFile()) return { path: first, root: [] };
  const { cosmiconfig } = await import('./cosmiconfig.js');
  // Loaders only say "something is here"; package.json counts only with a `rollout` key.
  const found = { found: true };
  const explorer = cosmiconfig('rollout', {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    cache: false,
    ignoreEmptySearchPlaces: false,
    loaders: {
      '.json': (path, content) => (basename(path) === 'package.json' ? packageMarker(content) : found),
      '.yml': () => found,
      '.yaml': () => found,
      noExt: () => found,
    },
  });
  const result = await explorer.search(cwd);
  if (!result) {
    throw new InputError(
      `no plan file in ${cwd} (looked for ${SEARCH_PLACES.slice(0, -1).join(', ')} and a "rollout" key in package.json). ` +
        'Pass one with --config FILE, or write a commented starter plan here with `rollout init`.',
    );
  }
  return { path: result.filepath, root: basename(result.filepath) === 'package.json' ? ['rollout'] : [] };
}

function packageMarker(content: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(content) as unknown;
    return parsed !== null && typeof parsed === 'object' && Object.hasOwn(parsed, 'rollout') ? { rollout: { found: true } } : {};
  } catch {
    return {};
  }
}
