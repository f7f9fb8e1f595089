import fs from 'node:fs/promises';
import path from 'node:path';
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { runnerView } from '../helpers/github-runner.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { writePlan, yamlString } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

/** `$GITHUB_OUTPUT` as the runner reads it (`name<<DELIM` … `DELIM` blocks). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/^([^=<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) out[match[1] ?? ''] = match[3] ?? '';
  return out;
}

describe('GitHub Actions', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  async function github(args: string[], env: Record<string, string> = {}) {
    const summary = path.join(ws.dir, 'summary.md');
    const output = path.join(ws.dir, 'output');
    const result = await runCli(args, { cwd: ws.dir, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output, ...env } });
    const read = (file: string) => fs.readFile(file, 'utf8').catch(() => '');
    return { result, summary: await read(summary), outputs: parseOutputs(await read(output)) };
  }

  it('masks secrets with escaped ::add-mask:: lines on stderr, line by line; --json stdout stays NDJSON without a secret', async () => {
    const secrets = { PERCENT_TOKEN: 'pa%0Ass%25word', MULTI_TOKEN: 'first-line-secret\nsecond-line-secret', CR_TOKEN: 'carriage\rreturn-secret' };
    await writePlan(
      ws.dir,
      `secrets: [PERCENT_TOKEN, MULTI_TOKEN, CR_TOKEN]
stages:
  - name: canary
    deploy: ${yamlString('printf "%s\\n%s\\n%s\\n" "$PERCENT_TOKEN" "$MULTI_TOKEN" "$CR_TOKEN"')}
    soak: 0
`,
    );
    const { result } = await github(['run', '--json'], secrets);
    expect(result.exitCode, describeResult(result)).toBe(0);

    const stdout = result.stdout.trim().split('\n');
    for (const line of stdout) expect(() => JSON.parse(line), line).not.toThrow();
    for (const value of ['pa%0Ass', 'first-line-secret', 'second-line-secret', 'return-secret']) expect(result.stdout).not.toContain(value);

    const runner = runnerView(result.stderr);
    expect(runner.masks).toEqual(expect.arrayContaining(['pa%0Ass%25word', 'first-line-secret', 'second-line-secret', 'carriage\rreturn-secret']));
    expect(runner.masks).not.toContain('pa\nss%word'); // what an unescaped mask would have masked instead
    const shown = runner.lines.join('\n');
    for (const value of ['pa%0Ass', 'first-line-secret', 'second-line-secret', 'return-secret']) expect(shown).not.toContain(value);
  });

  it('neutralises workflow commands in deploy output but honours its ::add-mask::, even split across writes', async () => {
    const deploy = [
      'echo "::add-mask::$DEPLOY_TOKEN"',
      'echo "token $DEPLOY_TOKEN"',
      // The values come from the deploy's environment, as a real deploy's would: not from the plan, not secrets of ours.
      `printf '::add-mask::%s' "$SPLIT_A"; sleep 0.3; printf '%s\\nsplit %s%s\\n' "$SPLIT_B" "$SPLIT_A" "$SPLIT_B"`,
      'echo "x ::add-mask::mid-line-789"',
      'echo "mid-line-789 stays"',
      'echo "note ##[warning]forged warning"',
      'echo "::error::forged error"',
      'echo "  ::notice::forged notice"',
    ].join('; ');
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: ${yamlString(deploy)}
    health: [{ url: "${ws.server.url('/down')}" }]
    soak: 1s
defaults: { health: { interval: 50ms, failureThreshold: 2 } }
`,
    );
    ws.server.setStatus(503);
    const { result, summary } = await github(['run', '--report', 'report.html'], { DEPLOY_TOKEN: 'deploy-token-123', SPLIT_A: 'split-', SPLIT_B: 'token-456' });
    expect(result.exitCode, describeResult(result)).toBe(1);

    const runner = runnerView(result.stderr);
    const acted = runner.commands.filter((c) => !['stop-commands'].includes(c.name) && !c.name.startsWith('rollout-'));
    expect(acted.map((c) => c.name)).toEqual(['group', 'add-mask', 'add-mask', 'endgroup', 'error']);
    expect(acted.find((c) => c.name === 'error')?.props).toBe('title=rollout%3A stage canary failed');
    // A deploy's own mask acts (at a line's start only), and rollout redacts its value too.
    expect(runner.masks).toEqual(['deploy-token-123', 'split-token-456']);
    for (const value of ['deploy-token-123', 'split-token-456']) expect(result.stderr.split(value), value).toHaveLength(2); // the re-emitted mask only
    const shown = runner.lines.join('\n');
    expect(shown).toContain('canary | ::add-mask::***');
    expect(shown).toContain('canary | token ***');
    expect(shown).toContain('canary | split ***');
    // Every other workflow command stays text, and a mask not at a line's start is no mask.
    expect(shown).toContain('canary | x ::add-mask::mid-line-789');
    expect(shown).toContain('canary | mid-line-789 stays');
    expect(shown).toContain('canary | note ##[warning]forged warning');
    expect(shown).toContain('canary |   ::notice::forged notice');
    const recorded = [summary, await fs.readFile(path.join(ws.dir, 'report.html'), 'utf8'), await fs.readFile(defaultStatePath(ws.dir), 'utf8')];
    for (const text of recorded) for (const value of ['deploy-token-123', 'split-token-456']) expect(text).not.toContain(value);
  });

  it('`rollout rollback` writes the job summary and outputs, with the rollback’s own duration', async () => {
    await writePlan(ws.dir, 'stages:\n  - name: canary\n    deploy: "true"\n    rollback: echo undone >> rolled-back\n    soak: 0\n');
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the run is now older than its rollback will take

    const { result, summary, outputs } = await github(['rollback']);
    expect(result.exitCode, describeResult(result)).toBe(0);
    const state = await readState(defaultStatePath(ws.dir));
    expect(outputs).toMatchObject({ status: 'rolled_back', 'run-id': state.runId, 'failed-stage': '' });
    expect(outputs.message).toBe(`rollout ${state.plan.name}: rolled back`);
    const took = /rolled back in (\d+)ms/.exec(summary);
    expect(took, summary).not.toBeNull();
    expect(Number(took?.[1])).toBeLessThan(1_500);
    expect(result.stdout, 'the summary table after a manual rollback').toMatch(/rolled back in \d+ms/);
  });

  it('a plan error sets status=invalid and the message, and annotates each problem at its line', async () => {
    await writePlan(ws.dir, 'stages:\n  - name: canary\n    deploy: "true"\n    soak: soon\n  - name: canary\n    deploi: x\n');
    for (const command of ['run', 'validate']) {
      const { result, outputs } = await github([command], { GITHUB_WORKSPACE: ws.dir });
      expect(result.exitCode, describeResult(result)).toBe(2);
      expect(outputs.status).toBe('invalid');
      expect(outputs['failure-reason']).toContain('rollout.config.yml is not a valid plan');
      expect(outputs.message).toBe(outputs['failure-reason']);
      const errors = runnerView(result.stderr).commands.filter((c) => c.name === 'error');
      expect(errors.map((c) => c.props)).toEqual(expect.arrayContaining([expect.stringMatching(/^file=rollout\.config\.yml,line=4,col=11,title=/)]));
      expect(errors.length).toBeGreaterThanOrEqual(2);
      await fs.rm(path.join(ws.dir, 'output'));
    }
  });

  it('escapes Markdown in the job summary: a stage named ``canary `5%` | eu`` renders as that text, in its cell', async () => {
    const name = 'canary `5%` | eu';
    await writePlan(ws.dir, `name: "shop *beta* <b>"\nstages:\n  - name: ${yamlString(name)}\n    deploy: exit 3\n    rollback: "true"\n`);
    const { result, summary } = await github(['run']);
    expect(result.exitCode, describeResult(result)).toBe(1);

    const html = await marked.parse(summary, { gfm: true });
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...(row[1] ?? '').matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => cell[1]),
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toHaveLength(6);
    expect(rows[1]?.[0]).toBe('canary `5%` | eu');
    expect(html).toContain('rollout shop *beta* &lt;b&gt;: failed at canary `5%` | eu, rolled back in');
    expect(html).toContain('<strong>Failed at canary `5%` | eu:</strong>');
    expect(html.match(/<code>/g), 'only the run id is code').toHaveLength(1);
    expect(html).not.toMatch(/<em>|<b>|\\/);
  });
});
