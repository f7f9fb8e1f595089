import { userInfo } from 'node:os';

type Env = Readonly<Record<string, string | undefined>>;

/** Variables naming the person behind a CI job, most specific first, then the local login. */
const ACTOR_VARIABLES = [
  'ROLLOUT_ACTOR',
  'GITHUB_ACTOR',
  'GITLAB_USER_LOGIN',
  'BUILDKITE_UNBLOCKER',
  'BUILDKITE_BUILD_CREATOR',
  'BUILD_USER_ID',
  'USER',
  'LOGNAME',
  'USERNAME',
] as const;

/**
 * Who is acting, for the record: the CI's user when there is one, else the local login, else the
 * name of the process's uid (containers often set no `USER`). One answer for every record that
 * says who — gate decisions, window overrides and who started a run (`history`).
 */
export function actorFrom(env: Env, uidName: () => string = accountName): string {
  for (const name of ACTOR_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return uidName();
}

/** The uid's account name; a uid with no passwd entry (an arbitrary `docker run -u`) as `uid 1234`. */
function accountName(): string {
  try {
    const name = userInfo().username.trim();
    if (name) return name;
  } catch {
    // No passwd entry for the uid: os.userInfo() throws (ENOENT). The uid still says who.
  }
  return typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'unknown';
}

/** Who started a run, as `history` shows it: the actor, on which host, and the CI job's URL if any. */
export function startedBy(env: Env, host: string, ciJob: string | null | undefined): string {
  return [`${actorFrom(env)}@${host}`, ciJob].filter(Boolean).join(' ');
}
