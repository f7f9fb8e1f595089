import { spawnSync } from 'node:child_process';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Runs `buildkite-agent <args>` with `input` on stdin, when the agent binary is on PATH (in a
 * docker plugin container only with `mount-buildkite-agent: true`). Bounded: the agent talks to
 * the Buildkite API, and a rollout's end must not hang on it.
 */
export function callBuildkiteAgent(args: string[], input: string, env: Env): 'ok' | 'missing' | string {
  const result = spawnSync('buildkite-agent', args, {
    input,
    env: env as NodeJS.ProcessEnv,
    timeout: 15_000,
    stdio: ['pipe', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return 'missing';
  if (result.error) return result.error.message;
  if (result.status !== 0) return `exit ${result.status ?? result.signal}: ${String(result.stderr).trim().split('\n').at(-1) ?? ''}`;
  return 'ok';
}

/**
 * Adds secret values to the agent's log redactor (`buildkite-agent redactor add --format json`),
 * so output rollout does not produce is redacted too. Returns a warning, or null.
 */
export function addBuildkiteRedactions(values: Record<string, string>, env: Env): string | null {
  if (Object.keys(values).length === 0) return null;
  const outcome = callBuildkiteAgent(['redactor', 'add', '--format', 'json'], JSON.stringify(values), env);
  if (outcome === 'ok') return null;
  if (outcome === 'missing') {
    return 'buildkite-agent is not on PATH, so the agent cannot redact the secrets from output rollout does not print (docker plugin: set mount-buildkite-agent: true)';
  }
  return `buildkite-agent redactor add failed (${outcome}); secrets are redacted in rollout's own output only`;
}
