import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeResult, runCli } from '../helpers/cli.js';
import { defaultStatePath } from '../helpers/state.js';
import { exists, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

describe('rollout init, plan and run --dry-run', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('init writes a commented starter plan that validate accepts, and never overwrites one without --force', async () => {
    const first = await runCli(['init'], { cwd: ws.dir });
    expect(first.exitCode, describeResult(first)).toBe(0);
    const file = path.join(ws.dir, 'rollout.config.yml');
    const text = await fs.readFile(file, 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=/);
    expect(text.split('\n').filter((l) => l.includes('#')).length).toBeGreaterThan(10);

    const validate = await runCli(['validate'], { cwd: ws.dir });
    expect(validate.exitCode, describeResult(validate)).toBe(0);
    expect(validate.stdout).toContain('is valid: 2 stages (canary → everyone)');

    await fs.writeFile(file, 'stages: [{ name: mine, deploy: "true" }]\n');
    const again = await runCli(['init'], { cwd: ws.dir });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('rollout.config.yml already exists; use --force');
    expect(await fs.readFile(file, 'utf8')).toContain('mine');

    const forced = await runCli(['init', '--force'], { cwd: ws.dir });
    expect(forced.exitCode, describeResult(forced)).toBe(0);
    expect(await fs.readFile(file, 'utf8')).toBe(text);
  });

  it("init's commented examples work once uncommented: its bodyMatches regex matches a JSON status body", async () => {
    const init = await runCli(['init'], { cwd: ws.dir });
    expect(init.exitCode, describeResult(init)).toBe(0);
    const file = path.join(ws.dir, 'rollout.config.yml');
    const text = (await fs.readFile(file, 'utf8')).replace('# bodyMatches:', 'bodyMatches:');
    await fs.writeFile(file, text);
    const validate = await runCli(['validate'], { cwd: ws.dir });
    expect(validate.exitCode, describeResult(validate)).toBe(0);
    const check = (parse(text) as { stages: { health?: { bodyMatches?: string }[] }[] }).stages[0]?.health?.[0];
    const pattern = new RegExp(check?.bodyMatches ?? '(?!)');
    expect(pattern.test('{"status": "ok"}')).toBe(true);
    expect(pattern.test('{"status":"ok"}')).toBe(true);
    expect(pattern.test('{"status": "down"}')).toBe(false);
  });

  const plan = () => `name: shop
vars: { image_tag: v1, api_token: hunter2 }
defaults: { soak: 30s, health: { interval: 5s, timeout: 2s, failureThreshold: 3 } }
onFailure: rollback
stages:
  - name: canary
    deploy: touch deployed-canary
    rollback: touch rolled-back-canary
    soak: 10s
    health:
      - name: canary-hz
        url: ${ws.server.url('/canary')}
        interval: 2s
        timeout: 5s
        headers: { Authorization: "Bearer \${vars.api_token}" }
  - name: full
    deploy: touch deployed-full
    timeout: 1m
    health: [{ url: "${ws.server.url('/full')}" }]
`;

  it('plan --json: every default applied, secrets left out, and the timeline', async () => {
    await writePlan(ws.dir, plan());
    const result = await runCli(['plan', '--json'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.name).toBe('shop');
    expect(doc.vars).toEqual({ image_tag: 'v1', api_token: '***' });
    expect(result.stdout).not.toContain('hunter2');
    expect(doc.stages.map((s: { name: string; soakMs: number; timeoutMs: number }) => [s.name, s.soakMs, s.timeoutMs])).toEqual([
      ['canary', 10_000, 600_000],
      ['full', 30_000, 60_000],
    ]);
    expect(doc.stages[0].health[0]).toMatchObject({ name: 'canary-hz', intervalMs: 2000, timeoutMs: 5000, failureThreshold: 3, expectStatus: null });
    expect(doc.stages[1].health[0]).toMatchObject({ intervalMs: 5000, timeoutMs: 2000, failureThreshold: 3 });
    expect(doc.timeline.shortestMs).toBe(40_000);
    expect(doc.timeline.stages).toMatchObject([
      // 2s to the first failing poll, then every 6s (each 5s timeout skips slots), the last one times out.
      { stage: 'canary', shortestMs: 10_000, detectMs: 19_000, slowestCheck: 'canary-hz', soakShorterThanDetect: true, sharedEntryPoint: null },
      { stage: 'full', shortestMs: 30_000, detectMs: 17_000, slowestCheck: ws.server.url('/full'), soakShorterThanDetect: false, sharedEntryPoint: null },
    ]);
    expect(await exists(path.join(ws.dir, 'deployed-canary'))).toBe(false);
    expect(ws.server.requestCount()).toBe(0);
  });

  it('plan: a readable version with the same figures', async () => {
    await writePlan(ws.dir, plan());
    const result = await runCli(['plan'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toContain('1. canary  soak 10s');
    expect(result.stdout).toContain('every 2.0s, timeout 5.0s, fails after 3 in a row');
    expect(result.stdout).toContain('shortest time to full rollout: 40s');
    expect(result.stdout).toMatch(/canary: a failure is detected within 19s at worst \(canary-hz\) \(longer than its 10s soak/);
    expect(result.stdout).toContain('full: a failure is detected within 17s at worst');
    expect(result.stdout).toContain('var api_token = ***');
  });

  it('run --dry-run prints each command in order with its environment, and runs, polls, locks and writes nothing', async () => {
    await writePlan(ws.dir, plan());
    const result = await runCli(['run', '--dry-run', '--var', 'image_tag=v2'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const out = result.stdout;
    const canary = out.indexOf('1. canary deploy');
    const full = out.indexOf('2. full deploy');
    expect(canary).toBeGreaterThan(-1);
    expect(full).toBeGreaterThan(canary);
    expect(out).toContain('touch deployed-canary');
    expect(out).toContain('ROLLOUT_VAR_IMAGE_TAG=v2');
    expect(out).toContain('ROLLOUT_VAR_API_TOKEN=***');
    expect(out).not.toContain('hunter2');
    expect(out).toContain('ROLLOUT_STAGE=full');
    expect(out).toContain('ROLLOUT_STAGE_INDEX=2');
    expect(out).toContain('ROLLOUT_PHASE=deploy');
    expect(out).toMatch(/ROLLOUT_RUN_ID=\d{8}T\d{6}Z-[0-9a-f]{6}/);
    expect(out).toMatch(/canary rollback: touch rolled-back-canary/);

    for (const file of ['deployed-canary', 'deployed-full', 'rolled-back-canary', '.rollout']) expect(await exists(path.join(ws.dir, file)), file).toBe(false);
    expect(await exists(defaultStatePath(ws.dir))).toBe(false);
    expect(ws.server.requestCount()).toBe(0);
  });

  it('run --dry-run --json: the same steps as data', async () => {
    await writePlan(ws.dir, plan());
    const result = await runCli(['run', '--dry-run', '--json'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.steps.map((s: { stage: string; phase: string }) => `${s.stage}:${s.phase}`)).toEqual([
      'canary:deploy',
      'canary:soak',
      'full:deploy',
      'full:soak',
    ]);
    expect(doc.steps[2].env).toMatchObject({ ROLLOUT_STAGE: 'full', ROLLOUT_PHASE: 'deploy', ROLLOUT_VAR_IMAGE_TAG: 'v1' });
    expect(doc.onFailure.steps.map((s: { stage: string }) => s.stage)).toEqual(['canary']);
    expect(await exists(path.join(ws.dir, '.rollout'))).toBe(false);
  });

  it('every command’s --help shows an example', async () => {
    for (const command of ['run', 'validate', 'plan', 'init', 'status', 'rollback']) {
      const result = await runCli([command, '--help'], { cwd: ws.dir });
      expect(result.exitCode, command).toBe(0);
      expect(result.stdout, command).toMatch(new RegExp(`Examples:\\n  \\$ rollout ${command}`));
    }
  });
});
