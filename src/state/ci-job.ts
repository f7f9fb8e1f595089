/** The CI job running us, as a link a person can follow from a lock holder or a history line. */
export function ciJobUrl(env: Readonly<Record<string, string | undefined>>): string | null {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
    return `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`;
  }
  if (env.GITLAB_CI === 'true' && env.CI_JOB_URL) return env.CI_JOB_URL;
  if (env.BUILDKITE === 'true' && env.BUILDKITE_BUILD_URL) return `${env.BUILDKITE_BUILD_URL}${env.BUILDKITE_JOB_ID ? `#${env.BUILDKITE_JOB_ID}` : ''}`;
  if (env.JENKINS_URL && env.BUILD_URL) return env.BUILD_URL;
  return null;
}
