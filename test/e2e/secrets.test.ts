import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE, startCli, toCliResult } from '../helpers/cli.js';
import { waitFor } from '../helpers/processes.js';
import { defaultStatePath, lockPath, readState } from '../helpers/state.js';
import { writePlan, yamlString } from '../helpers/temp-dir.js';
import { makeSelfSignedCertificate, startHttpsServer } from '../helpers/tls.js';
import { useWorkspace } from '../helpers/workspace.js';

const TOKEN = 'tok-7f3a9c21e5b84d06';

describe('secrets: values of the plan’s secrets are redacted everywhere rollout writes', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  /** Every place the tool writes, for one run: stdout, stderr, the state file and (sampled) the lock. */
  async function written(result: { stdout: string; stderr: string }, extra: string[] = []): Promise<string[]> {
    const state = await fs.readFile(defaultStatePath(ws.dir), 'utf8');
    return [result.stdout, result.stderr, state, ...extra];
  }

  it('masks a secret echoed by a deploy command, split across output chunks, and sent in a check header', async () => {
    const half = TOKEN.length / 2;
    await writePlan(
      ws.dir,
      `secrets: [ROLLOUT_TEST_TOKEN]
stages:
  - name: canary
    deploy: ${yamlString(`echo "token is $ROLLOUT_TEST_TOKEN"; printf 'split=${TOKEN.slice(0, half)}'; sleep 0.3; printf '${TOKEN.slice(half)} end\\n'; echo "$ROLLOUT_TEST_TOKEN" >&2`)}
    rollback: ${yamlString('echo "undo $ROLLOUT_TEST_TOKEN"')}
    soak: 0
    health:
      - url: ${ws.server.url('/healthz')}
        interval: 50ms
        headers:
          Authorization: Bearer \${env.ROLLOUT_TEST_TOKEN}
  - name: broken
    deploy: ${yamlString('echo "failing with $ROLLOUT_TEST_TOKEN"; exit 3')}
`,
    );
    const run = startCli(['run'], { cwd: ws.dir, env: { ROLLOUT_TEST_TOKEN: TOKEN } });
    const locks: string[] = [];
    let ended = false;
    // Sample the lock file for as long as the run lives, however slowly a loaded machine starts it.
    const sampling = waitFor(
      async () => {
        locks.push(await fs.readFile(lockPath(defaultStatePath(ws.dir)), 'utf8').catch(() => ''));
        return ended;
      },
      60_000,
      10,
    );
    const result = toCliResult(await run);
    ended = true;
    await sampling;

    expect(result.exitCode, describeResult(result)).toBe(1);
    // The secret did its job: the command and the health endpoint received the real value.
    expect(ws.server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result.stderr).toContain('canary | token is ***');
    expect(result.stderr).toContain('canary | split=*** end');
    expect(result.stderr).toContain('broken | failing with ***');
    expect(result.stderr).toContain('undo ***');
    // (Each half alone does appear: in the deploy command as written in the plan.)
    for (const text of await written(result, locks)) expect(text).not.toContain(TOKEN);
    expect(
      locks.some((lock) => lock.includes('"runId"')),
      'the lock was never seen while the run held it',
    ).toBe(true);
  });

  it('masks a secret in a health-check failure reason: state, output and summary', async () => {
    // The certificate is for DNS:localhost only; the URL's host comes from a secret, so Node's TLS
    // error ("IP: <host> is not in the cert's list") carries the secret into the failure reason.
    const certificate = makeSelfSignedCertificate(ws.dir, 'DNS:localhost');
    const tlsServer = await startHttpsServer(certificate);
    try {
      await writePlan(
        ws.dir,
        `secrets: [SECRET_HOST]
stages:
  - name: canary
    deploy: "true"
    soak: 5s
    health:
      - url: https://\${env.SECRET_HOST}:${tlsServer.port}/healthz
        name: internal
        ca: server.crt
        interval: 50ms
        failureThreshold: 2
`,
      );
      const result = await runCli(['run'], { cwd: ws.dir, env: { SECRET_HOST: '127.0.0.1' } });

      expect(result.exitCode, describeResult(result)).toBe(1);
      const state = await readState(defaultStatePath(ws.dir));
      expect(state.failure?.reason).toMatch(/\*\*\*/);
      expect(state.stages[0]?.checkResults.checks[0]?.lastError?.kind).toBe('tls');
      for (const text of await written(result)) expect(text).not.toContain('127.0.0.1');
    } finally {
      await tlsServer.close();
    }
  });

  it('masks a secret in an error message (a lock held by a run whose command shows it)', async () => {
    await writePlan(ws.dir, `secrets: [ROLLOUT_TEST_TOKEN]\nstages:\n  - name: canary\n    deploy: "true"\n    soak: 0\n`);
    await fs.mkdir(`${ws.dir}/.rollout`, { recursive: true });
    // A live holder on another host: a fresh heartbeat, so the lock is respected (exit 4), not taken over.
    const now = new Date().toISOString();
    const holder = { runId: 'r1', pid: 1, host: 'elsewhere', startedAt: now, heartbeatAt: now, command: `deploy --token ${TOKEN}` };
    await fs.writeFile(lockPath(defaultStatePath(ws.dir)), JSON.stringify(holder));

    const result = await runCli(['run'], { cwd: ws.dir, env: { ROLLOUT_TEST_TOKEN: TOKEN } });

    expect(result.exitCode, describeResult(result)).toBe(4);
    expect(result.stderr).toContain('deploy --token ***');
    expect(result.all).not.toContain(TOKEN);
    expect(result.all).not.toMatch(STACK_TRACE);
  });

  it('redacts the lock file itself (last line of defence)', async () => {
    // Contrived on purpose: the only free text in a lock is its command, "rollout run".
    await writePlan(ws.dir, `secrets: [ROLLOUT_TEST_CMD]\nstages:\n  - name: canary\n    deploy: sleep 1\n    soak: 0\n`);
    const run = startCli(['run'], { cwd: ws.dir, env: { ROLLOUT_TEST_CMD: 'rollout run' } });
    let lock = '';
    await waitFor(async () => {
      lock = await fs.readFile(lockPath(defaultStatePath(ws.dir)), 'utf8').catch(() => '');
      return lock !== '';
    });
    const result = toCliResult(await run);
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(JSON.parse(lock).command).toBe('***');
  });

  it('under GitHub Actions, masks each secret with ::add-mask:: before any other output', async () => {
    await writePlan(
      ws.dir,
      `secrets: [ROLLOUT_TEST_TOKEN, ROLLOUT_TEST_SHORT, ROLLOUT_TEST_UNSET]
stages:
  - name: canary
    deploy: ${yamlString('echo "token is $ROLLOUT_TEST_TOKEN"')}
    soak: 0
`,
    );
    const result = await runCli(['run'], { cwd: ws.dir, env: { ROLLOUT_TEST_TOKEN: TOKEN, ROLLOUT_TEST_SHORT: 'ab', GITHUB_ACTIONS: 'true' } });

    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.all.startsWith(`::add-mask::${TOKEN}\n`), describeResult(result)).toBe(true);
    expect(result.all.split(TOKEN)).toHaveLength(2); // only in the mask command
    // Too short to redact without garbling the log: said so, by name only.
    expect(result.stderr).toMatch(/secret ROLLOUT_TEST_SHORT is shorter than 4 characters/);
  });

  it('prints no ::add-mask:: outside GitHub Actions', async () => {
    await writePlan(ws.dir, `secrets: [ROLLOUT_TEST_TOKEN]\nstages:\n  - name: canary\n    deploy: "true"\n    soak: 0\n`);
    const result = await runCli(['run'], { cwd: ws.dir, env: { ROLLOUT_TEST_TOKEN: TOKEN } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.all).not.toContain('add-mask');
  });

  it('keeps an environment value out of a plan error about the URL it made invalid', async () => {
    await writePlan(ws.dir, `stages:\n  - name: canary\n    deploy: "true"\n    health:\n      - url: http://\${env.ROLLOUT_TEST_TOKEN}/x\n`);
    const result = await runCli(['validate'], { cwd: ws.dir, env: { ROLLOUT_TEST_TOKEN: `bad host ${TOKEN}` } });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(result.stderr).toContain('${env.ROLLOUT_TEST_TOKEN}');
    expect(result.all).not.toContain(TOKEN);
  });
});

describe('secret-looking vars: one rule for plan, dry run, state, events, report and terminal', { timeout: 40_000 }, () => {
  const ws = useWorkspace();
  const KEY = 'key-51c0ffee9d2a7b33';

  it('masks an `api_key` var everywhere rollout writes, while the command still gets its value', async () => {
    await writePlan(
      ws.dir,
      `vars:\n  api_key: placeholder\nstages:\n  - name: canary\n    deploy: ${yamlString('echo "$ROLLOUT_VAR_API_KEY" > got.txt; echo "using $ROLLOUT_VAR_API_KEY"')}\n    soak: 0\n`,
    );
    const flags = ['--var', `api_key=${KEY}`];
    const run = await runCli(['run', '--json', '--report', 'report.html', ...flags], { cwd: ws.dir });
    expect(run.exitCode, describeResult(run)).toBe(0);
    // The deploy command received the real value: masking is only in what rollout writes.
    expect((await fs.readFile(`${ws.dir}/got.txt`, 'utf8')).trim()).toBe(KEY);
    const started = run.stdout.split('\n').find((line) => line.includes('"run.started"'));
    expect(JSON.parse(started ?? '{}').plan.vars.api_key).toBe('***');
    const plan = await runCli(['plan', '--json', ...flags], { cwd: ws.dir });
    const dry = await runCli(['run', '--dry-run', ...flags], { cwd: ws.dir });
    const status = await runCli(['status'], { cwd: ws.dir });
    const report = await runCli(['report', '--out', 'again.html'], { cwd: ws.dir });
    const files = await fs.readdir(`${ws.dir}/.rollout`);
    const stored = await Promise.all(files.map((file) => fs.readFile(`${ws.dir}/.rollout/${file}`, 'utf8')));
    expect(
      files.some((file) => file.endsWith('.ndjson') || file.includes('events')),
      files.join(', '),
    ).toBe(true);
    const html = [await fs.readFile(`${ws.dir}/report.html`, 'utf8'), await fs.readFile(`${ws.dir}/again.html`, 'utf8')];
    for (const result of [run, plan, dry, status, report]) {
      expect(result.exitCode, describeResult(result)).toBe(0);
      expect(result.all, describeResult(result)).not.toContain(KEY);
    }
    for (const text of [...stored, ...html]) expect(text).not.toContain(KEY);
  });
});

describe('a secret-looking var across a gate', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('is not recorded, so `promote` continues with the plan’s value for it and says so; plain vars carry over', async () => {
    const deploy = yamlString('echo "$ROLLOUT_VAR_API_KEY $ROLLOUT_VAR_TAG" >> got.txt');
    await writePlan(
      ws.dir,
      `vars:\n  api_key: from-the-plan\n  tag: v1\nstages:\n  - name: canary\n    deploy: ${deploy}\n    soak: 0\n    approval: true\n  - name: full\n    deploy: ${deploy}\n    soak: 0\n`,
    );
    const run = await runCli(['run', '--var', 'api_key=key-given-at-run', '--var', 'tag=v2'], { cwd: ws.dir });
    expect(run.exitCode, describeResult(run)).toBe(7);
    expect((await readState(defaultStatePath(ws.dir))).plan.vars).toEqual({ api_key: '***', tag: 'v2' });
    const promote = await runCli(['promote'], { cwd: ws.dir });
    expect(promote.exitCode, describeResult(promote)).toBe(0);
    expect(promote.stderr).toMatch(/var api_key looks secret, so run \S+ did not record its value: continuing with the plan's/);
    expect(await fs.readFile(`${ws.dir}/got.txt`, 'utf8')).toBe('key-given-at-run v2\nfrom-the-plan v2\n');
  });
});
