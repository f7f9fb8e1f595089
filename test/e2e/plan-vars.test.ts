import { describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

describe('plan and validate take --var like run does', { timeout: 30_000 }, () => {
  const ws = useWorkspace();
  const planText = () => `vars: { base: "http://127.0.0.1:1", tag: v1 }
stages:
  - name: canary
    deploy: echo "$ROLLOUT_VAR_TAG"
    soak: 0
    health:
      - url: \${vars.base}/healthz
`;

  it('rollout plan shows the values a run with the same --var would use', async () => {
    await writePlan(ws.dir, planText());
    const result = await runCli(['plan', '--var', 'tag=v2.4.1', '--var', `base=${ws.server.url('')}`], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toContain('var tag = v2.4.1');
    expect(result.stdout).toContain(`${ws.server.url('')}/healthz`);
  });

  it('rollout validate checks a URL built from a --var, and refuses a bad one with exit 2', async () => {
    await writePlan(ws.dir, planText());
    expect((await runCli(['validate', '--var', `base=${ws.server.url('')}`], { cwd: ws.dir })).exitCode).toBe(0);
    const bad = await runCli(['validate', '--var', 'base=not a url'], { cwd: ws.dir });
    expect(bad.exitCode, describeResult(bad)).toBe(2);
    expect(bad.stderr).toMatch(/url/);
  });
});
