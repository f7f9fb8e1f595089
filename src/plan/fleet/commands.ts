import type { Problem } from '../normalise-checks.js';
import type { RawPlan } from '../schema.js';
import { targetEnvName } from './targets.js';

const TARGET_PLACEHOLDER = /\$\{\s*target\.([A-Za-z_][A-Za-z0-9_.-]*)\s*\}/;

/**
 * `${target.host}` in a command is never filled in (values reach commands only as environment
 * variables), and the shell would stop on it ("bad substitution"): say which variable to use instead.
 */
export function targetPlaceholdersInCommands(raw: RawPlan, problem: (p: Problem) => void): void {
  const commands: [(string | number)[], string | undefined][] = [[['rollback'], raw.rollback]];
  raw.stages.forEach((stage, index) => {
    const at = ['stages', index];
    commands.push([[...at, 'deploy'], stage.deploy], [[...at, 'rollback'], stage.rollback]);
    if (typeof stage.verify === 'string') commands.push([[...at, 'verify'], stage.verify]);
    else if (stage.verify !== undefined) commands.push([[...at, 'verify', 'run'], stage.verify.run]);
  });
  for (const [path, command] of commands) {
    const found = command === undefined ? null : TARGET_PLACEHOLDER.exec(command);
    if (found === null) continue;
    const name = found[1] as string;
    const variable = name === 'name' ? 'ROLLOUT_TARGET' : targetEnvName(name);
    problem({
      path,
      message: `${found[0]} is never filled into a command (a target's values reach commands only as environment variables): write "$${variable}"`,
    });
  }
}
