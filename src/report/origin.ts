import { actorFrom } from '../actor.js';
import type { Origin } from './records.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Who ran the command and from which CI job, from the variables each CI documents. Only links
 * the CI itself provides are recorded; the report shows them as plain links, never loads them.
 */
export function describeOrigin(env: Env, host: string): Origin {
  // The same actor as gate decisions and `history` record (src/actor.ts).
  return { host, user: actorFrom(env), ci: ciJob(env) };
}

function ciJob(env: Env): Origin['ci'] {
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) {
    const server = env.GITHUB_SERVER_URL || 'https://github.com';
    const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
    return { provider: 'GitHub Actions', url: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`, job: env.GITHUB_JOB ?? null };
  }
  if (env.GITLAB_CI && (env.CI_JOB_URL || env.CI_JOB_ID)) {
    return { provider: 'GitLab CI', url: env.CI_JOB_URL ?? null, job: env.CI_JOB_NAME ?? env.CI_JOB_ID ?? null };
  }
  if (env.BUILDKITE_BUILD_URL) {
    const job = env.BUILDKITE_JOB_ID ? `#${env.BUILDKITE_JOB_ID}` : '';
    return { provider: 'Buildkite', url: `${env.BUILDKITE_BUILD_URL}${job}`, job: env.BUILDKITE_LABEL ?? null };
  }
  if (env.CI_JOB_URL) return { provider: 'CI', url: env.CI_JOB_URL, job: env.CI_JOB_NAME ?? null };
  return null;
}
