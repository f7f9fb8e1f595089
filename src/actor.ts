type Env = Readonly<Record<string, string | undefined>>;

/** Variables naming the person behind a CI job, most specific first, then the local user. */
const ACTOR_VARIABLES = [
  'ROLLOUT_ACTOR',
  'GITHUB_ACTOR',
  'GITLAB_USER_LOGIN',
  'BUILDKITE_UNBLOCKER',
  'BUILDKITE_BUILD_CREATOR',
  'BUILD_USER_ID',
  'USER',
  'USERNAME',
] as const;

/** Who is acting, for the record: the CI's user when there is one, else the local login. */
export function actorFrom(env: Env): string {
  for (const name of ACTOR_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return 'unknown';
}
