import type { Problem } from '../normalise-checks.js';
import type { RawStage } from '../schema.js';
import { closest } from '../suggest.js';
import type { Target } from '../types.js';

type Selection = NonNullable<RawStage['targets']>;

/**
 * Which targets each stage with `targets:` deploys, by stage index. Lists and matches are resolved
 * first; `"*"` then takes every target none of them selected. A target is deployed by at most one
 * stage, so a second claim is a problem naming both stages; so is a selection of no target.
 */
export function selectTargets(targets: readonly Target[], stages: readonly RawStage[], problem: (p: Problem) => void): Map<number, Target[]> {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const claimedBy = new Map<string, string>();
  const selected = new Map<number, Target[]>();
  const claim = (index: number, stage: string, chosen: Target[]) => {
    const at = ['stages', index, 'targets'];
    for (const target of chosen) {
      const other = claimedBy.get(target.name);
      if (other !== undefined)
        problem({
          path: at,
          message: `target "${target.name}" is selected by stage "${other}" and by stage "${stage}"; a target is deployed by one stage only`,
        });
      else claimedBy.set(target.name, stage);
    }
    selected.set(index, chosen);
  };

  stages.forEach((stage, index) => {
    const selection = stage.targets;
    if (selection === undefined || selection === '*') return;
    if (targets.length === 0) {
      problem({ path: ['stages', index, 'targets'], message: 'the plan names no targets: list them under the top-level `targets:` first' });
      return;
    }
    claim(index, stage.name, Array.isArray(selection) ? byNames(selection, index, byName, problem) : byMatch(selection.match, index, targets, problem));
  });

  let rest: string | null = null;
  stages.forEach((stage, index) => {
    if (stage.targets !== '*') return;
    const at = ['stages', index, 'targets'];
    if (targets.length === 0) problem({ path: at, message: 'the plan names no targets: list them under the top-level `targets:` first' });
    else if (rest !== null) problem({ path: at, message: `stage "${rest}" already takes the rest ("*"); only one stage can` });
    else {
      rest = stage.name;
      const left = targets.filter((t) => !claimedBy.has(t.name));
      if (left.length === 0) problem({ path: at, message: 'selects no target: every target is selected by another stage' });
      claim(index, stage.name, left);
    }
  });
  return selected;
}

function byNames(names: readonly string[], index: number, byName: Map<string, Target>, problem: (p: Problem) => void): Target[] {
  const chosen: Target[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const path = ['stages', index, 'targets', i];
    const target = byName.get(name);
    if (target === undefined) {
      const hint = closest(name, byName.keys());
      problem({
        path,
        message: `no target named "${name}"${hint ? ` (did you mean "${hint}"?)` : `; the targets are ${[...byName.keys()].slice(0, 10).join(', ')}${byName.size > 10 ? ', …' : ''}`}`,
      });
    } else if (seen.has(name)) problem({ path, message: `target "${name}" is listed twice` });
    else chosen.push(target);
    seen.add(name);
  });
  return chosen;
}

type Match = Extract<Selection, { match: unknown }>['match'];

function byMatch(match: Match, index: number, targets: readonly Target[], problem: (p: Problem) => void): Target[] {
  const at = ['stages', index, 'targets', 'match'];
  const wanted = Object.entries(match).map(([key, value]) => [key, (Array.isArray(value) ? value : [value]).map(String)] as const);
  if (wanted.length === 0) {
    problem({ path: at, message: 'names no attribute: give at least one, e.g. { match: { region: [eu] } }, or use "*" for the rest' });
    return [];
  }
  const known = new Set(targets.flatMap((t) => Object.keys(t.attributes)));
  for (const [key] of wanted) {
    if (known.has(key)) continue;
    const hint = closest(key, known);
    problem({ path: [...at, key], message: `no target has an attribute "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}` });
  }
  const chosen = targets.filter((t) => wanted.every(([key, values]) => Object.hasOwn(t.attributes, key) && values.includes(t.attributes[key] as string)));
  if (chosen.length === 0 && wanted.every(([key]) => known.has(key)))
    problem({ path: ['stages', index, 'targets'], message: `selects no target: none has ${wanted.map(([k, v]) => `${k} ${v.join(' or ')}`).join(' and ')}` });
  return chosen;
}
