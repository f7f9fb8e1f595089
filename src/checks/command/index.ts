import { z } from 'zod';
import { type CompareSettings, compareRulesShape, normaliseCompare } from '../../compare/index.js';
import { targetEnvName } from '../../plan/fleet/targets.js';
import { command } from '../../plan/schema-parts.js';
import { varEnvName } from '../../plan/vars.js';
import type { CheckKind, PlaceholderRef } from '../kind.js';
import { measureCommand } from './measure.js';

const commandShape = z.object({
  run: command.describe(
    'Shell command; exit 0 = pass, 1 = fail, anything else or a timeout = could not measure. A number or JSON on its last line of output is `result`.',
  ),
  compare: compareRulesShape
    .optional()
    .describe(
      'Instead of pass:/fail:, judge the canary against the baseline: the command prints both sides as JSON on its last line (docs/checks.md, "Comparisons").',
    ),
});
type RawCommand = z.infer<typeof commandShape>;

export interface CommandCheckSpec {
  kind: 'command';
  /** The command with each `${…}` replaced by a quoted reference to an environment variable. */
  run: string;
  /** Per-stage arguments as ROLLOUT_ARG_<NAME>, on top of the deploy environment. */
  env: Record<string, string>;
  /** With `compare:`: the command prints both sides, judged by src/compare. */
  compare?: CompareSettings;
}

/**
 * `type: command`: runs a command like a deploy (same environment, own process group, timeout).
 * Values never become command text: `${vars.X}` is rewritten to `"$ROLLOUT_VAR_X"`, `${args.X}` to
 * `"$ROLLOUT_ARG_X"`, `${stage.name}` to `"$ROLLOUT_STAGE"`, and the shell expands the variable.
 */
export const commandKind: CheckKind<RawCommand, CommandCheckSpec> = {
  type: 'command',
  schema: commandShape,
  normalise(raw, ctx) {
    const env: Record<string, string> = {};
    const run = ctx.substitute(raw.run, ['run'], (value, ref) => {
      // A fleet stage's check is filled in per target: the target's values travel in the check's own environment.
      if (ref.scope === 'target') env[envNameOf(ref)] = value;
      return `"$${envNameOf(ref)}"`;
    });
    for (const [name, value] of Object.entries(ctx.args)) env[argEnvName(name)] = value;
    const compare = raw.compare && normaliseCompare(raw.compare, null, (key, message) => ctx.problem(key, message));
    const { pass, fail } = raw as { pass?: unknown; fail?: unknown };
    if (compare && (pass !== undefined || fail !== undefined))
      ctx.problem(['compare'], 'a comparison decides by itself: give either pass:/fail: or compare:, not both');
    return { kind: 'command', run, env, ...(compare ? { compare } : {}) };
  },
  measure: measureCommand,
  // What the command printed last is the value; its exit code is the kind's own verdict.
  presentation: { label: 'result', unit: '', plot: [], rule: 'pass: exit 0 · fail: exit 1' },
  describe: (spec) => (spec.compare ? `run: ${spec.run} (compare ${spec.compare.method}: canary against baseline)` : `run: ${spec.run}`),
  show: (spec) => ({ run: spec.run, args: Object.keys(spec.env), ...(spec.compare ? { compare: spec.compare } : {}) }),
  // A comparison already waits for enough evidence: its first fail decides (as for metric checks).
  settingDefaults: (spec) => (spec.compare ? { failureThreshold: 1 } : {}),
};

function envNameOf(ref: PlaceholderRef): string {
  if (ref.scope === 'vars') return varEnvName(ref.name);
  if (ref.scope === 'args') return argEnvName(ref.name);
  if (ref.scope === 'stage') return ref.name === 'index' ? 'ROLLOUT_STAGE_INDEX' : 'ROLLOUT_STAGE';
  if (ref.scope === 'target') return ref.name === 'name' ? 'ROLLOUT_TARGET' : targetEnvName(ref.name);
  return ref.name;
}

export function argEnvName(name: string): string {
  return `ROLLOUT_ARG_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}
