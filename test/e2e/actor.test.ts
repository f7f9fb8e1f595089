import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { actorFrom } from '../../src/actor.js';
import { describeResult, runCli } from '../helpers/cli.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

const gated = `stages:
  - name: canary
    deploy: "true"
    soak: 0
    approval: true
  - name: full
    deploy: "true"
    soak: 0
`;

/** A container's environment: no USER, LOGNAME or USERNAME, and no CI actor. */
const NO_LOGIN = { USER: '', LOGNAME: '', USERNAME: '', GITHUB_ACTOR: '', GITLAB_USER_LOGIN: '', ROLLOUT_HOLDER: 'box-1' };

describe('who acts: one answer for gate decisions and history', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('with USER unset, records the uid’s account name for the decision and for who started the run', async () => {
    const me = userInfo().username;
    await writePlan(ws.dir, gated);
    const run = await runCli(['run', '--report', 'report.html'], { cwd: ws.dir, env: NO_LOGIN });
    expect(run.exitCode, describeResult(run)).toBe(7);
    const promote = await runCli(['promote'], { cwd: ws.dir, env: NO_LOGIN });
    expect(promote.exitCode, describeResult(promote)).toBe(0);
    expect(promote.stderr).toContain(`promoted by ${me}`);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.gate?.decision?.by).toBe(me);
    const history = await runCli(['history', '--json'], { cwd: ws.dir, env: NO_LOGIN });
    expect(JSON.parse(history.stdout)[0]).toMatchObject({ by: `${me}@box-1` });
    expect(await readFile(path.join(ws.dir, 'report.html'), 'utf8')).toContain(`<dt>Ran by</dt><dd>${me} on box-1`);
  });

  it('takes the CI actor first, then USER, then LOGNAME, then the uid’s name', () => {
    const uid = () => 'from-uid';
    expect(actorFrom({ GITHUB_ACTOR: 'octocat', USER: 'runner' }, uid)).toBe('octocat');
    expect(actorFrom({ USER: 'alice', LOGNAME: 'bob' }, uid)).toBe('alice');
    expect(actorFrom({ USER: ' ', LOGNAME: 'bob' }, uid)).toBe('bob');
    expect(actorFrom({}, uid)).toBe('from-uid');
    expect(actorFrom({})).toBe(userInfo().username);
  });
});
