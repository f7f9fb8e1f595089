import { randomBytes } from 'node:crypto';
import type { PlanProblem } from '../errors.js';

/**
 * GitHub Actions workflow commands, written the way the runner parses them
 * (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).
 */

/** Message escaping, as @actions/core does it and the runner undoes it. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * `::add-mask::` lines for secret values. The runner masks what it unescapes, so values are
 * escaped; a multi-line value is masked line by line (the runner matches within one log line).
 */
export function maskCommands(values: readonly string[]): string[] {
  const lines = new Set<string>();
  for (const value of values) for (const line of value.split(/\r?\n/)) if (line !== '') lines.add(line);
  return [...lines].map((line) => `::add-mask::${escapeData(line)}`);
}

/** `::error file=…,line=…,col=…::` for a plan problem, so it shows inline on a pull request. */
export function problemAnnotation(problem: PlanProblem, file: string): string {
  const where = [`file=${escapeProperty(file)}`];
  if (problem.line !== null) where.push(`line=${problem.line}`, `col=${problem.col ?? 1}`);
  where.push(`title=${escapeProperty(problem.path ? `rollout plan: ${problem.path}` : 'rollout plan')}`);
  return `::error ${where.join(',')}::${escapeData(problem.message)}`;
}

/** A fresh token for `::stop-commands::`: unguessable, so output we relay cannot end the pause. */
export function stopToken(): string {
  return `rollout-${randomBytes(16).toString('hex')}`;
}

/** `name<<DELIM` blocks for $GITHUB_OUTPUT: safe for any value, newlines included. */
export function formatOutputs(outputs: Record<string, string>): string {
  return Object.entries(outputs)
    .map(([name, value]) => {
      let delimiter = `ghadelimiter_${randomBytes(8).toString('hex')}`;
      while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomBytes(8).toString('hex')}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}
