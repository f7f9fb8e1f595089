import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/** What a hostile health endpoint answers: retitle the terminal, clear it, then a C1 CSI and a bidi override. */
const BODY = 'down\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eevil';
/** A deploy command's own colours: relayed as they are. */
const GREEN = '\x1b[32mgreen\x1b[0m';
/** A control character a terminal would obey (tab and newline are text). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('control characters rollout quotes are shown, never obeyed', { timeout: 60_000 }, () => {
  let dir: string;
  let server: http.Server;
  let url: string;

  beforeEach(async () => {
    dir = await makeTempDir();
    server = http.createServer((_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end(BODY));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    await writePlan(
      dir,
      `name: "shop\\e]0;plan\\a"
stages:
  - name: "canary\\e[2J"
    deploy: printf '\\033[32mgreen\\033[0m\\n'
    rollback: "true"
    soak: 5s
    health:
      - url: ${url}
        name: "api\\e[5m"
        interval: 50ms
        failureThreshold: 2
`,
    );
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await removeTempDir(dir);
  });

  it('in the terminal, the plain log, GitHub markers, job summary, outputs, report, status and history', async () => {
    const summary = path.join(dir, 'summary.md');
    const outputs = path.join(dir, 'outputs.txt');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs };
    const run = await runCli(['run', '--report', 'report.html'], { cwd: dir, env });
    expect(run.exitCode, describeResult(run)).toBe(1);
    // The deploy's own colours pass through; the body it quotes is escaped, and says what it was.
    expect(run.stderr).toContain(GREEN);
    expect(run.stderr).toContain('down\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202eevil');
    expect(run.stderr).toContain('canary\\x1b[2J');
    const status = await runCli(['status'], { cwd: dir });
    const history = await runCli(['history'], { cwd: dir });
    const statusJson = await runCli(['status', '--json'], { cwd: dir });
    const historyJson = await runCli(['history', '--json'], { cwd: dir });
    expect(JSON.parse(statusJson.stdout).failure.reason).toContain(BODY);
    const report = await runCli(['report', '--out', 'again.html'], { cwd: dir });
    const shown = await Promise.all([['validate'], ['plan'], ['run', '--dry-run']].map((args) => runCli(args, { cwd: dir })));
    for (const result of shown) expect(result.exitCode, describeResult(result)).toBe(0);
    const texts = {
      stderr: run.stderr.replaceAll(GREEN, 'green'),
      stdout: run.stdout,
      summary: await fs.readFile(summary, 'utf8'),
      outputs: await fs.readFile(outputs, 'utf8'),
      report: await fs.readFile(path.join(dir, 'report.html'), 'utf8'),
      again: await fs.readFile(path.join(dir, 'again.html'), 'utf8'),
      status: status.all,
      history: history.all,
      statusJson: statusJson.all,
      historyJson: historyJson.all,
      reportCommand: report.all,
      ...Object.fromEntries(shown.map((result, i) => [`plan output ${i}`, result.all])),
    };
    for (const [where, text] of Object.entries(texts)) expect(RAW_CONTROL.exec(text)?.index, `${where}: ${JSON.stringify(text)}`).toBeUndefined();
    expect(texts.summary).toContain('\\\\x1b');
    expect(texts.report).toContain('\\x1b]0;pwned\\x07');
  });

  it('in --json: the data is the real value, written so that a terminal shows it', async () => {
    const run = await runCli(['run', '--json'], { cwd: dir });
    expect(run.exitCode, describeResult(run)).toBe(1);
    expect(RAW_CONTROL.exec(run.stdout)?.index, run.stdout).toBeUndefined();
    const failed = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .find((event) => event.type === 'stage.failed');
    expect(failed.stage).toBe('canary\x1b[2J');
    expect(failed.reason).toContain(BODY);
  });
});
