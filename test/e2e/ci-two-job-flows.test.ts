import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { removeRunnerDirs } from '../helpers/ci-pipelines.js';
import { runWorkflow } from '../helpers/github-workflow.js';
import { type GlJobResult, runGitlabJob } from '../helpers/gitlab-pipeline.js';
import { codeBlocks } from '../helpers/markdown-blocks.js';
import { PG_PASSWORD, type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { readState } from '../helpers/state.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * The two-job gate flows of docs/ci.md, run as written: job 1 and job 2 each on a fresh "runner"
 * (its own directory), with only the pipeline's artifacts, outputs and dotenv between them, and
 * the deploys acting on one shared "fleet" file, as real deploys act on one real service.
 */
const yamlBlock = (marker: string) => {
  const block = codeBlocks('docs/ci.md').find((b) => b.lang === 'yaml' && b.code.includes(marker));
  if (!block) throw new Error(`docs/ci.md has no yaml block with ${marker}`);
  return parse(block.code) as Record<string, unknown>;
};

const gatedPlan = (fleet: string) => `name: shop
vars: { image_tag: dev }
stages:
  - name: canary
    deploy: echo "canary $ROLLOUT_VAR_IMAGE_TAG" >> ${fleet}
    rollback: echo "undo canary" >> ${fleet}
    soak: 0
  - name: half
    deploy: echo half >> ${fleet}
    rollback: echo "undo half" >> ${fleet}
    soak: 0
    approval: { timeout: 72h, message: look at the canary dashboard }
  - name: full
    deploy: echo full >> ${fleet}
    soak: 0
`;

// The run's review history as GitHub's API returns it: a rejection by one reviewer, then an approval by another.
const GH_APPROVALS = JSON.stringify([
  { state: 'rejected', comment: 'wait', user: { login: 'mallory' }, environments: [{ name: 'production' }] },
  { state: 'approved', comment: 'ok', user: { login: 'alice' }, environments: [{ name: 'production' }] },
]);
/** `gh api …/approvals --jq FILTER`, answering from GH_APPROVALS through the real jq: the documented filter runs for real. */
const ghStandIn = `#!/bin/sh
command -v jq >/dev/null || { echo "gh stand-in: needs jq (apt-get install jq)" >&2; exit 1; }
if [ "$1" != api ] || [ "$2" != "repos/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/approvals" ] || [ "$3" != --jq ] || [ -z "$GH_TOKEN" ]; then
  echo "gh: unexpected call: $*" >&2; exit 1
fi
printf '%s' '${GH_APPROVALS}' | jq -r "$4"
`;

let repo: string;
let fleet: string;
beforeAll(async () => {
  repo = await makeTempDir('rollout-repo-');
  fleet = path.join(await makeTempDir('rollout-fleet-'), 'fleet.log');
});
afterAll(async () => {
  await removeTempDir(repo);
  await removeTempDir(path.dirname(fleet));
  await removeRunnerDirs();
});

async function freshFleet(plan = gatedPlan(fleet)): Promise<void> {
  await fs.rm(fleet, { force: true });
  await writePlan(repo, plan);
}

describe('GitHub Actions: stop at a gate in one job, decide in another behind required reviewers', { timeout: 60_000 }, () => {
  const workflow = yamlBlock('.github/workflows/deploy-gated.yml') as { jobs: Record<string, never> };
  const env = { GITHUB_ACTOR: 'pusher', GITHUB_SHA: 'abc123', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '42' };

  it('approved: job 1 pauses green with outputs paused/gate; job 2 promotes from the artifact and records the reviewer', async () => {
    await freshFleet();
    const jobs = await runWorkflow(workflow, { repo, reviews: { production: true, 'production-abort': true }, env, gh: ghStandIn });

    expect(jobs.rollout?.result, jobs.rollout?.steps.map((s) => s.log).join('\n')).toBe('success');
    expect(jobs.rollout?.outputs.paused).toBe('true');
    expect(jobs.rollout?.outputs.gate).toMatch(/^half-[0-9a-f]{6}$/);
    expect(await readLines(fleet)).toEqual(['canary abc123', 'half', 'full']);

    expect(jobs.promote?.result, jobs.promote?.steps.map((s) => s.log).join('\n')).toBe('success');
    expect(jobs.promote?.dir).not.toBe(jobs.rollout?.dir);
    const state = await readState(path.join(jobs.promote?.dir ?? '', '.rollout/state.json'));
    expect(state.status).toBe('succeeded');
    expect(state.gate).toMatchObject({
      id: jobs.rollout?.outputs.gate,
      decision: { decision: 'promote', by: 'alice', reason: 'approved in the production environment' },
    });
    expect(jobs.abort?.result, 'promote succeeded: nothing to abort').toBe('skipped');
  });

  it('rejected: promote never runs; the abort job rolls back newest first, recording who', async () => {
    await freshFleet();
    const jobs = await runWorkflow(workflow, { repo, reviews: { production: false, 'production-abort': true }, env, gh: ghStandIn });
    expect(jobs.promote?.result).toBe('failure');
    expect(jobs.abort?.result, 'abort exits 1, as any rolled-back run').toBe('failure');
    expect(jobs.abort?.steps.find((s) => s.step === 'rollout')?.exitCode).toBe(1);
    expect(await readLines(fleet)).toEqual(['canary abc123', 'half', 'undo half', 'undo canary']);
    const state = await readState(path.join(jobs.abort?.dir ?? '', '.rollout/state.json'));
    expect(state.status).toBe('rolled_back');
    expect(state.gate?.decision).toMatchObject({ decision: 'abort', by: 'alice' });
  });

  it('a rollout that does not pause: paused=false, neither decision job runs', async () => {
    await freshFleet(gatedPlan(fleet).replace(/ {4}approval: .*\n/, ''));
    const jobs = await runWorkflow(workflow, { repo, reviews: { production: true, 'production-abort': true }, env, gh: ghStandIn });
    expect(jobs.rollout?.result).toBe('success');
    expect(jobs.rollout?.outputs).toEqual({ paused: 'false', gate: '' });
    expect(jobs.promote?.result).toBe('skipped');
    expect(jobs.abort?.result).toBe('skipped');
    expect(await readLines(fleet)).toEqual(['canary abc123', 'half', 'full']);
  });
});

describe('GitLab CI: exit 7 with a dotenv report, then a manual job in a protected environment', { timeout: 60_000 }, () => {
  const variables = {
    CI: 'true',
    CI_COMMIT_SHA: 'def456',
    CI_COMMIT_BRANCH: 'main',
    CI_DEFAULT_BRANCH: 'main',
    CI_PIPELINE_ID: '77',
    GITLAB_USER_LOGIN: 'pusher',
  };

  it('state as an artifact: deploy pauses (allowed exit 7), promote started by bob continues it and records bob', async () => {
    await freshFleet();
    const pipeline = yamlBlock('.gitlab-ci.yml (gated: state as an artifact)');
    const done: Record<string, GlJobResult> = {};
    done.deploy = await runGitlabJob(pipeline, 'deploy', { repo, variables }, done);
    expect(done.deploy.exitCode, done.deploy.log).toBe(7);
    expect(done.deploy.status).toBe('warning');
    expect(done.deploy.dotenv).toMatchObject({ ROLLOUT_STATUS: 'paused', ROLLOUT_PAUSED: 'true', ROLLOUT_GATE: expect.stringMatching(/^half-[0-9a-f]{6}$/) });

    const promote = await runGitlabJob(pipeline, 'promote', { repo, variables }, done, 'bob');
    expect(promote.status, promote.log).toBe('success');
    expect(await readLines(fleet)).toEqual(['canary def456', 'half', 'full']);
    const state = await readState(path.join(promote.dir, '.rollout/state.json'));
    expect(state.status).toBe('succeeded');
    expect(state.gate?.decision).toMatchObject({ decision: 'promote', by: 'bob', reason: 'promoted from pipeline 77' });
  });

  it('a pipeline whose rollout did not pause: the manual job has nothing to decide and says so', async () => {
    await freshFleet(gatedPlan(fleet).replace(/ {4}approval: .*\n/, ''));
    const pipeline = yamlBlock('.gitlab-ci.yml (gated: state as an artifact)');
    const done: Record<string, GlJobResult> = {};
    done.deploy = await runGitlabJob(pipeline, 'deploy', { repo, variables }, done);
    expect(done.deploy.status).toBe('success');
    const abort = await runGitlabJob(pipeline, 'abort', { repo, variables }, done, 'bob');
    expect(abort.status).toBe('success');
    expect(abort.log).toMatch(/run \S+ is succeeded, not paused/);
    expect(await readLines(fleet)).toEqual(['canary def456', 'half', 'full']);
  });

  describe('state in PostgreSQL: no artifact, one record', () => {
    let pg: PostgresServer;
    beforeAll(async () => {
      pg = await startPostgres({ fsync: false });
    }, 60_000);
    afterAll(async () => {
      await pg?.destroy();
    });

    it('promote in a second job reads the shared record; a later abort is refused: the gate is spent', async () => {
      await freshFleet();
      const pipeline = yamlBlock('.gitlab-ci.yml (gated: state in PostgreSQL)');
      const documented = String((pipeline.variables as Record<string, string>).ROLLOUT_STATE);
      expect(documented).toMatch(/^postgres:\/\/rollout@db\.internal:5432\/deploys$/);
      // The documented URL, pointed at this test's server; the password as a CI/CD variable.
      pipeline.variables = { ROLLOUT_STATE: documented.replace('db.internal:5432/deploys', `127.0.0.1:${pg.port}/postgres?schema=twojob`) };
      const run = { repo, variables: { ...variables, PGPASSWORD: PG_PASSWORD } };
      const done: Record<string, GlJobResult> = {};
      done.deploy = await runGitlabJob(pipeline, 'deploy', run, done);
      expect(done.deploy.exitCode, done.deploy.log).toBe(7);
      expect(done.deploy.dotenv.ROLLOUT_PAUSED).toBe('true');

      const promote = await runGitlabJob(pipeline, 'promote', run, done, 'bob');
      expect(promote.status, promote.log).toBe('success');
      expect(promote.log).toContain(`Waiting at gate ${done.deploy.dotenv.ROLLOUT_GATE} after half (approval)`); // `rollout status` first
      await expect(fs.access(path.join(promote.dir, '.rollout'))).rejects.toThrow(); // nothing local: the record is in the database
      expect(await readLines(fleet)).toEqual(['canary def456', 'half', 'full']);
      const record = await pg.query('SELECT doc FROM twojob.state WHERE key = $1', ['shop']);
      expect(record.rows[0]?.doc).toMatchObject({ status: 'succeeded', gate: { decision: { decision: 'promote', by: 'bob' } } });

      const abort = await runGitlabJob(pipeline, 'abort', run, done, 'carol');
      expect(abort.exitCode, abort.log).toBe(2);
      expect(abort.log).toContain('already decided: promote by bob');
      expect(await readLines(fleet), 'nothing was rolled back').toEqual(['canary def456', 'half', 'full']);
    });
  });
});
