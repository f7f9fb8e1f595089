import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { PG_PASSWORD, type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { defaultStatePath } from '../helpers/state.js';
import { readLines, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

/**
 * Issue 18 items 4 and 5: a state document is checked against its schema on every read and push. One
 * that parses but holds bad values is refused with exit 2 naming the field (never a crash, never run
 * over); one from a newer rolloutctl is said as such, naming it, and nothing is touched. The `.bak`
 * is a complete earlier state: after a run, its final record, so the damaged-state advice is safe.
 */
type Doc = Record<string, unknown> & { stages: Record<string, unknown>[] };

const PLAN =
  'stages:\n  - name: canary\n    deploy: echo canary >> deploy.log\n    soak: 0\n  - name: full\n    deploy: echo full >> deploy.log\n    soak: 0\n';

const corruptions: [string, (doc: Doc) => void, RegExp][] = [
  ['a run status no release writes', (d) => (d.status = 'weird'), /status: expected one of "running", .*found "weird"/],
  ['a stage without its name', (d) => delete d.stages[0]?.name, /stages\[0\]\.name: expected string, found nothing/],
  ['checkResults: null', (d) => ((d.stages[1] as Doc).checkResults = null), /stages\[1\]\.checkResults: expected object, found null/],
  ['a serial that is not a number', (d) => (d.serial = 'seven'), /serial: expected number, found "seven"/],
];

describe('a state document with bad values (issue 18 item 4)', { timeout: 120_000 }, () => {
  const ws = useWorkspace();

  it.each(corruptions)('%s: every command refuses it with exit 2 naming the field, and changes nothing', async (_, corrupt, named) => {
    await writePlan(ws.dir, PLAN);
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    const statePath = defaultStatePath(ws.dir);
    const doc = JSON.parse(readFileSync(statePath, 'utf8')) as Doc;
    corrupt(doc);
    const text = JSON.stringify(doc, null, 2);
    writeFileSync(statePath, text);
    for (const command of [['status'], ['status', '--json'], ['history'], ['run'], ['resume'], ['rollback']]) {
      const result = await runCli(command, { cwd: ws.dir });
      expect(result.exitCode, `${command.join(' ')}: ${describeResult(result)}`).toBe(2);
      expect(result.stderr).toMatch(named);
      expect(result.stderr).toContain(`state file ${statePath} is damaged (invalid values: `);
      expect(result.stderr).toContain(`cp ${statePath}.bak ${statePath}`);
      expect(result.stderr).not.toMatch(STACK_TRACE);
      expect(readFileSync(statePath, 'utf8')).toBe(text);
    }
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'full']); // `run` did not start over it

    const saved = path.join(ws.dir, 'saved.json');
    writeFileSync(saved, text);
    writeFileSync(statePath, readFileSync(`${statePath}.bak`));
    const pushed = await runCli(['state', 'push', saved, '--force', '--reason', 'test'], { cwd: ws.dir });
    expect(pushed.exitCode, pushed.all).toBe(2);
    expect(pushed.stderr).toMatch(named);
    expect(pushed.stderr).toContain('nothing was pushed');
  });

  it('a document in the shape the first release wrote (none of the later optional fields) still loads and resumes', async () => {
    await writePlan(ws.dir, PLAN);
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    const statePath = defaultStatePath(ws.dir);
    const doc = JSON.parse(readFileSync(statePath, 'utf8')) as Doc;
    for (const key of ['by', 'processGroup', 'processGroups', 'gate', 'blocked', 'windowOverrides', 'rolloutctlVersion']) delete doc[key];
    delete (doc.plan as Doc).vars;
    for (const stage of doc.stages) delete stage.step;
    // Interrupted after canary: resume must deploy `full` from this old-shape record.
    doc.status = 'interrupted';
    doc.interruptedBy = 'SIGTERM';
    doc.finishedAt = null;
    Object.assign(doc.stages[1] as Doc, { status: 'pending', startedAt: null, finishedAt: null });
    writeFileSync(statePath, JSON.stringify(doc, null, 2));
    writeFileSync(path.join(ws.dir, 'deploy.log'), 'canary\n');

    const status = await runCli(['status'], { cwd: ws.dir });
    expect([2, 70], status.all).not.toContain(status.exitCode);
    expect(status.all).toMatch(/interrupted by SIGTERM/);
    const resumed = await runCli(['resume'], { cwd: ws.dir });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'full']);
  });
});

describe('a state document from a newer rolloutctl (issue 18 item 5)', { timeout: 120_000 }, () => {
  const ws = useWorkspace();

  it.each([
    ['a newer document version', (d: Doc) => Object.assign(d, { version: 3, rolloutctlVersion: '9.1.0' }), 'state document version 3'],
    [
      'a version-2 document with a value this release does not know',
      (d: Doc) => Object.assign(d, { status: 'canarying', rolloutctlVersion: '9.1.0' }),
      'state document version 2',
    ],
  ])('%s: said as such, naming the release; nothing touched, no backup advice', async (_, newer, version) => {
    await writePlan(ws.dir, PLAN);
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    const statePath = defaultStatePath(ws.dir);
    const text = JSON.stringify(newer(JSON.parse(readFileSync(statePath, 'utf8')) as Doc), null, 2);
    writeFileSync(statePath, text);
    const backup = readFileSync(`${statePath}.bak`, 'utf8');
    for (const command of [['status'], ['run'], ['resume'], ['rollback']]) {
      const result = await runCli(command, { cwd: ws.dir });
      expect(result.exitCode, `${command.join(' ')}: ${describeResult(result)}`).toBe(2);
      expect(result.stderr).toContain(`state file ${statePath} was written by rolloutctl 9.1.0 (${version}); this is rolloutctl `);
      expect(result.stderr).toContain('npx rolloutctl@9.1.0');
      expect(result.stderr).not.toContain('damaged');
      expect(result.stderr).not.toContain('cp ');
      expect(readFileSync(statePath, 'utf8')).toBe(text);
      expect(readFileSync(`${statePath}.bak`, 'utf8')).toBe(backup);
    }
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'full']);
  });

  it('every write names the release that wrote it', async () => {
    await writePlan(ws.dir, PLAN);
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    const version = (JSON.parse(readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
    expect(JSON.parse(readFileSync(defaultStatePath(ws.dir), 'utf8')).rolloutctlVersion).toBe(version);
  });
});

describe('the .bak is a complete earlier state (issue 18 item 5)', { timeout: 120_000 }, () => {
  const ws = useWorkspace();

  it('after a run it is the final record: following the damaged-state advice gives the true status', async () => {
    await writePlan(ws.dir, PLAN);
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    const statePath = defaultStatePath(ws.dir);
    const final = readFileSync(statePath, 'utf8');
    expect(JSON.parse(readFileSync(`${statePath}.bak`, 'utf8')).status).toBe('succeeded');
    expect(readFileSync(`${statePath}.bak`, 'utf8')).toBe(final);

    writeFileSync(statePath, '{"version": 1, "stages": [');
    const refused = await runCli(['status'], { cwd: ws.dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/\.bak \(run \S+, status succeeded, serial \d+\)/);
    writeFileSync(statePath, readFileSync(`${statePath}.bak`)); // what the advice says: cp state.json.bak state.json
    const status = await runCli(['status'], { cwd: ws.dir });
    expect(status.exitCode, status.all).toBe(0);
    expect(status.stdout).toMatch(/succeeded/);
    expect(status.all).not.toMatch(/died/);
  });

  it('a hand edit that truncates the state file in place leaves the backup whole', async () => {
    await writePlan(ws.dir, PLAN);
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    const statePath = defaultStatePath(ws.dir);
    const final = readFileSync(statePath, 'utf8');
    writeFileSync(statePath, ''); // O_TRUNC on the same inode: a link would empty the backup too
    expect(readFileSync(`${statePath}.bak`, 'utf8')).toBe(final);
  });
});

describe('a bad record in PostgreSQL (issue 18 item 4)', { timeout: 180_000 }, () => {
  let server: PostgresServer;
  const ws = useWorkspace();
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
  });

  it('status refuses it with exit 2 naming the field; run does not start over it; a good push repairs it', async () => {
    await writePlan(ws.dir, `name: web\nkey: bad-values\nstate: "${server.envUrl({ schema: 'validation' })}"\n${PLAN}`);
    const env = { ROLLOUT_TEST_PGPASS: PG_PASSWORD };
    expect((await runCli(['run'], { cwd: ws.dir, env, timeout: 120_000 })).exitCode).toBe(0);
    const good = path.join(ws.dir, 'good.json');
    expect((await runCli(['state', 'pull', '--out', good], { cwd: ws.dir, env })).exitCode).toBe(0);
    await server.query(`UPDATE validation.state SET doc = jsonb_set(doc, '{stages,0,checkResults}', 'null') WHERE key = 'bad-values'`);

    for (const command of [['status'], ['run'], ['resume']]) {
      const result = await runCli(command, { cwd: ws.dir, env, timeout: 120_000 });
      expect(result.exitCode, `${command.join(' ')}: ${describeResult(result)}`).toBe(2);
      expect(result.stderr).toMatch(
        /the current record for key bad-values in postgres:\/\/\S+ is damaged \(invalid values: stages\[0\]\.checkResults: expected object, found null\)/,
      );
      expect(result.stderr).toContain('rollout state push FILE --force --reason');
      expect(result.all).not.toContain(PG_PASSWORD);
    }
    expect(await readLines(path.join(ws.dir, 'deploy.log'))).toEqual(['canary', 'full']);

    const refused = await runCli(['state', 'push', good], { cwd: ws.dir, env });
    expect(refused.exitCode, refused.all).toBe(2);
    const repaired = await runCli(['state', 'push', good, '--force', '--reason', 'the row was edited by hand'], { cwd: ws.dir, env });
    expect(repaired.exitCode, repaired.all).toBe(0);
    expect(repaired.stdout).toContain('over a record it could not read (forced; reason: the row was edited by hand)');
    const status = await runCli(['status'], { cwd: ws.dir, env });
    expect(status.exitCode, status.all).toBe(0);
  });
});
