import path from 'node:path';
import type { StageState, StateDocument, TargetState } from '../../src/state/document.js';
import { DEPLOY_JS, type FleetHosts, VERSION_OF_JS } from './fleet-hosts.js';
import { stageOf } from './state.js';
import { readLines } from './temp-dir.js';

/**
 * Fleet plans for the e2e tests, written as a user would (docs/fleets.md syntax), around the
 * example's deploy.js and version-of.js. Every deploy appends its target's name to deploys.log
 * and every rollback to rollbacks.log (in the plan's directory) before it runs, so a test can
 * count invocations per host: a deploy killed half-way still counts.
 */
export interface FleetStage {
  name: string;
  /** The stage's `targets:` as YAML: `"*"`, `[h01, h02]`, `{ match: { region: [a] } }`. */
  targets: string;
  /** The rest as YAML values, written only when given. */
  batch?: string;
  maxParallel?: number;
  bake?: string;
  firstBake?: string;
  failureBudget?: string;
  onBudgetExceeded?: 'rollback-stage' | 'rollback-all' | 'stop';
  onTargetFailure?: 'rollback' | 'keep';
  soak?: string;
  /** Named checks (from `extra` lines' top-level `checks:`) measured once for the stage during each bake, as YAML. */
  fleetChecks?: string;
  /** true (the default): the example's version-of.js must see the run's version; a string: the `verify:` value as YAML; false: none. */
  verify?: boolean | string;
  /** Each target's own /healthz check (default true). */
  health?: boolean;
  /** Shell run before each deploy (after its log line), e.g. a sleep that makes deploys overlap. */
  beforeDeploy?: string;
  /** The deploy command instead of deploy.js (its log line is still written first). */
  deploy?: string;
  /** false: no rollback command. */
  rollback?: boolean;
}

export interface FleetPlanOptions {
  /** The version the run rolls out (vars.version). */
  version?: string;
  /** Extra top-level YAML lines (e.g. `state: …`, `onFailure: stop`). */
  extra?: string[];
  /** The hosts the plan's `targets:` names (default: every host of the fleet). */
  only?: string[];
}

const q = (text: string): string => JSON.stringify(text);
const ADDRESS = '"$ROLLOUT_TARGET_HOST:$ROLLOUT_TARGET_PORT"';

export function deployCommand(before = ''): string {
  return `echo "$ROLLOUT_TARGET" >> deploys.log; ${before ? `${before}; ` : ''}node ${q(DEPLOY_JS)} ${ADDRESS} "$ROLLOUT_VAR_VERSION"`;
}

export function rollbackCommand(): string {
  return `echo "$ROLLOUT_TARGET" >> rollbacks.log; node ${q(DEPLOY_JS)} ${ADDRESS} previous`;
}

/** The example's verify: exits 1 unless the host serves `expected` (default: the run's version); `''`: only prints it. */
export function verifyCommand(expected = '"$ROLLOUT_VAR_VERSION"'): string {
  return `node ${q(VERSION_OF_JS)} ${ADDRESS}${expected ? ` ${expected}` : ''}`;
}

export function fleetPlan(
  fleet: Pick<FleetHosts, 'targetsYaml'>,
  stages: FleetStage[],
  { version = 'v2.0.0', extra = [], only }: FleetPlanOptions = {},
): string {
  const lines = [
    'name: fleet-test',
    `vars: { version: ${q(version)} }`,
    ...extra,
    'defaults:',
    '  soak: 300ms',
    '  timeout: 30s',
    '  health: { interval: 50ms, timeout: 2s, failureThreshold: 2 }',
    fleet.targetsYaml(only),
    'stages:',
  ];
  for (const stage of stages) {
    lines.push(`  - name: ${stage.name}`, `    targets: ${stage.targets}`);
    const deploy = stage.deploy === undefined ? deployCommand(stage.beforeDeploy) : `echo "$ROLLOUT_TARGET" >> deploys.log; ${stage.deploy}`;
    lines.push(`    deploy: ${q(deploy)}`);
    if (stage.rollback !== false) lines.push(`    rollback: ${q(rollbackCommand())}`);
    if (stage.verify === undefined || stage.verify === true) lines.push(`    verify: ${q(verifyCommand())}`);
    else if (typeof stage.verify === 'string') lines.push(`    verify: ${stage.verify}`);
    if (stage.health !== false) lines.push('    health: [{ url: "http://${target.host}:${target.port}/healthz" }]');
    for (const key of ['batch', 'maxParallel', 'bake', 'firstBake', 'failureBudget', 'onBudgetExceeded', 'onTargetFailure', 'soak', 'fleetChecks'] as const) {
      if (stage[key] !== undefined) lines.push(`    ${key}: ${stage[key]}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** How many times each target's deploy (or rollback) started, from the plan directory's log. */
export async function invocations(dir: string, log: 'deploys' | 'rollbacks' = 'deploys'): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of await readLines(path.join(dir, `${log}.log`))) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** The targets of a fleet stage by name; throws when the stage has none recorded. */
export function targetsOf(state: StateDocument, stage: string): Record<string, TargetState> {
  const targets = stageOf(state, stage).targets;
  if (!targets) throw new Error(`stage "${stage}" has no targets in the state: ${JSON.stringify(stageOf(state, stage))}`);
  return Object.fromEntries(targets.map((t) => [t.name, t]));
}

/** `{ name: status }` of a fleet stage's targets: one readable line in a failing assertion. */
export function targetStatuses(state: StateDocument, stage: string): Record<string, string> {
  return Object.fromEntries(Object.values(targetsOf(state, stage)).map((t) => [t.name, t.status]));
}

/** The batch each target of a stage is in (1-based), in deploy order: `[[h01], [h02, h03]]`. */
export function batchesOf(stage: StageState): string[][] {
  const batches: string[][] = [];
  for (const target of stage.targets ?? []) {
    const batch = batches[target.batch - 1] ?? [];
    batches[target.batch - 1] = batch;
    batch.push(target.name);
  }
  return batches;
}

/** The NDJSON events `--json` printed on stdout. */
export function jsonEvents(stdout: string): { type: string; [key: string]: unknown }[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type: string });
}

/** Every host on `version` except the ones named in `except` (on theirs). */
export function expectedVersions(names: string[], version: string, except: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, except[name] ?? version]));
}
