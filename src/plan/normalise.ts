import { resolve } from 'node:path';
import { isRemoteLocation, unsupportedLocation } from '../state/registry.js';
import { compileWindows, type Windows } from '../windows/evaluate.js';
import { parseDuration } from './duration.js';
import { targetPlaceholdersInCommands } from './fleet/commands.js';
import { fleetKeysWithoutTargets, normaliseFleet } from './fleet/normalise-fleet.js';
import { selectTargets } from './fleet/select.js';
import { isInventory, normaliseTargets } from './fleet/targets.js';
import { compileNamedChecks, type Problem, stageChecks } from './normalise-checks.js';
import { normaliseNotify } from './normalise-notify.js';
import type { RawPlan, RawStage } from './schema.js';
import { substitute } from './substitute.js';
import type { Approval, Plan, Stage, Target } from './types.js';
import { varEnvName } from './vars.js';

export const DEFAULTS = {
  soakMs: 30_000,
  timeoutMs: 10 * 60_000,
  killGraceMs: 5_000,
  state: '.rollout/state.json',
} as const;

export interface NormaliseInput {
  raw: RawPlan;
  path: string;
  dir: string;
  sha256: string;
  vars: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
  /** With `targets: { from: … }`: what the inventory command listed (check-plan.ts runs it; this stays pure). */
  inventory?: Target[];
}

export type { Problem };
/** The plan, and its problems: with problems, the plan holds fallbacks and is only fit for further checks. */
export type NormaliseResult = { plan: Plan; problems: Problem[] };

/**
 * Applies defaults and units, resolves named checks and `${…}` placeholders, and compiles
 * conditions. Pure: no file or network access (a kind's load-time I/O is `prepareChecks`).
 */
export function normalisePlan(input: NormaliseInput): NormaliseResult {
  const { raw } = input;
  const problems: Problem[] = [];
  const seen = new Set<string>();
  // A named check used by several stages would report the same problem once per use.
  const problem = (p: Problem) => {
    const key = `${p.path.join('.')}\0${p.message}`;
    if (!seen.has(key)) problems.push(p);
    seen.add(key);
  };
  const ms = (value: string | number | undefined, fallback: number) => (value === undefined ? fallback : (parseDuration(value) ?? fallback));
  const defaults = raw.defaults ?? {};
  compileNamedChecks({ raw, dir: input.dir, vars: input.vars, env: input.env, problem });

  const envNames = new Map<string, string>();
  for (const name of Object.keys(input.vars)) {
    const envName = varEnvName(name);
    const other = envNames.get(envName);
    if (other !== undefined) problem({ path: ['vars', name], message: `var "${name}" and var "${other}" both become ${envName}` });
    envNames.set(envName, name);
  }

  const targets = isInventory(raw.targets) ? (input.inventory ?? []) : normaliseTargets(raw.targets, problem);
  const selected = selectTargets(targets, raw.stages, problem);
  targetPlaceholdersInCommands(raw, problem);
  const onFailure = raw.onFailure ?? 'rollback';
  const stages: Stage[] = raw.stages.map((stage, index) => {
    const timeoutMs = ms(stage.timeout ?? defaults.timeout, DEFAULTS.timeoutMs);
    const inputs = { raw, dir: input.dir, vars: input.vars, env: input.env, problem };
    fleetKeysWithoutTargets(stage, index, problem);
    // A fleet stage's checks run per target; its own list keeps `${target.…}` as written.
    const { checks, fleet } =
      stage.targets === undefined
        ? { checks: stageChecks(stage, index, inputs), fleet: null }
        : normaliseFleet(stage, index, selected.get(index) ?? [], timeoutMs, { ...inputs, onFailure });
    return {
      name: stage.name,
      index,
      deploy: stage.deploy,
      rollback: stage.rollback ?? null,
      soakMs: ms(stage.soak ?? defaults.soak, DEFAULTS.soakMs),
      timeoutMs,
      checks,
      pauseMs: ms(stage.pause, 0),
      approval: approvalOf(stage.approval, ms),
      fleet,
    };
  });

  const notifyProblem = (path: (string | number)[], message: string) => problem({ path: ['notify', ...path], message });
  const notify = normaliseNotify(raw.notify ?? [], (text, path) => substitute(text, input, (message) => notifyProblem(path, message)), notifyProblem);
  let windows: Windows | null = null;
  if (raw.windows !== undefined) {
    const compiled = compileWindows(raw.windows);
    if (compiled.ok) windows = compiled.windows;
    else for (const each of compiled.problems) problem({ path: ['windows', ...each.path], message: each.message });
  }
  const state = raw.state ?? DEFAULTS.state;
  const unsupported = unsupportedLocation(state);
  if (unsupported !== null) problem({ path: ['state'], message: unsupported });
  return {
    problems,
    plan: {
      version: 1,
      name: raw.name ?? defaultName(input.path),
      path: input.path,
      dir: input.dir,
      sha256: input.sha256,
      vars: input.vars,
      onFailure,
      onInterrupt: raw.onInterrupt ?? 'stop',
      onInconclusive: raw.onInconclusive ?? 'fail',
      killGraceMs: ms(raw.killGrace, DEFAULTS.killGraceMs),
      rollback: raw.rollback ?? null,
      targets,
      ...(isInventory(raw.targets) ? { targetsFrom: raw.targets.from } : {}),
      rollbackTimeoutMs: ms(defaults.timeout, DEFAULTS.timeoutMs),
      // The backend registry alone knows which locations are stores and which are file paths.
      statePath: isRemoteLocation(state) ? state : resolve(input.dir, state),
      ...(raw.key !== undefined ? { stateKey: raw.key } : {}),
      secrets: raw.secrets ?? [],
      stages,
      windows,
      notify,
    },
  };
}

function defaultName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts.at(-2) ?? 'rollout';
}

function approvalOf(raw: RawStage['approval'], ms: (value: string | number | undefined, fallback: number) => number): Approval | null {
  if (raw === undefined || raw === false) return null;
  if (raw === true) return { timeoutMs: null, onTimeout: 'abort', message: null };
  return { timeoutMs: raw.timeout === undefined ? null : ms(raw.timeout, 0), onTimeout: raw.onTimeout ?? 'abort', message: raw.message ?? null };
}
