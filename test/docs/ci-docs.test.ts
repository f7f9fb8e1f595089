import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, runCli } from '../helpers/cli.js';
import { codeBlocks, documentationFiles } from '../helpers/markdown-blocks.js';

const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const ciBlocks = codeBlocks('docs/ci.md');
const yamlOf = (marker: string): unknown => {
  const block = ciBlocks.find((b) => b.lang === 'yaml' && b.code.includes(marker));
  if (!block) throw new Error(`docs/ci.md has no yaml block with ${marker}`);
  return parse(block.code);
};
/** `value.a.b.c` of parsed YAML, or undefined. */
const get = (value: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const ciText = fs.readFileSync(path.join(repoRoot, 'docs/ci.md'), 'utf8');

describe('CI documentation says what works', () => {
  it.each(documentationFiles())('%s pins the version in every npx call (an unpinned npx runs whoever owns the name)', (file) => {
    const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    for (const call of text.matchAll(/npx (?:-p |--package[= ])?rolloutctl@(\S+?)(?=[\s`'"]|$)/gm)) expect(call[1], `${file}: ${call[0]}`).toBe(version);
    // Unpinned forms, as commands (the prose may name them as what not to do).
    expect(text).not.toMatch(/npx (--yes )?rolloutctl (run|status|rollback|resume|plan|validate|init|unlock|report|promote|abort|history|state)\b/);
    expect(text).not.toMatch(/npx rollout (run|status|rollback|resume|plan|validate|init|unlock)\b/);
  });

  it.each(documentationFiles())('%s: every upload of .rollout/ includes hidden files (or it saves nothing)', (file) => {
    for (const block of codeBlocks(file).filter((b) => b.lang === 'yaml' && b.code.includes('upload-artifact'))) {
      const jobs = Object.values((get(parse(block.code), 'jobs') as object | undefined) ?? {});
      const steps = jobs.flatMap((job) => list(get(job, 'steps')));
      for (const step of steps.filter((s) => String(get(s, 'uses')).startsWith('actions/upload-artifact'))) {
        expect(get(step, 'with', 'include-hidden-files'), `${file}:${block.line}`).toBe(true);
      }
    }
  });

  it('GitHub: concurrency is described as one running plus one pending run, not a queue', () => {
    expect(ciText).toMatch(/one running run and \*\*one\*\* pending run/);
    expect(ciText).not.toMatch(/queued, never cancelled/);
  });

  it('says that a local state file lock protects one machine only', () => {
    expect(ciText).toMatch(/protects \*\*one machine only\*\*/);
  });

  it('GitLab: environment with deployment_tier, resource_group (oldest_first), RUNNER_SCRIPT_TIMEOUT, dotenv report', () => {
    const pipeline = yamlOf('.gitlab-ci.yml');
    expect(get(pipeline, 'deploy', 'environment', 'deployment_tier')).toBe('production');
    expect(get(pipeline, 'deploy', 'resource_group')).toBe('production');
    expect(get(pipeline, 'deploy', 'variables', 'RUNNER_SCRIPT_TIMEOUT')).toBeDefined();
    expect(get(pipeline, 'deploy', 'artifacts', 'reports', 'dotenv')).toBe('rollout.env');
    expect(ciText).toContain('process_mode=oldest_first');
  });

  it('Buildkite: the docker plugin mounts the agent; the pre-exit hook timing and cancel-grace-period are stated', () => {
    const pipeline = yamlOf('.buildkite/pipeline.yml');
    const plugins = list(get(pipeline, 'steps')).flatMap((step) => list(get(step, 'plugins')).flatMap((p) => Object.entries(p as object)));
    const dockers = plugins.filter(([name]) => name.startsWith('docker#'));
    expect(dockers.length).toBeGreaterThan(0);
    for (const [, options] of dockers) expect(get(options, 'mount-buildkite-agent')).toBe(true);
    expect(ciText).toMatch(/about 1 s/);
    expect(ciText).toMatch(/cancel-grace-period=\d+/);
  });

  it('Jenkins: lock(resource: …) and milestone(), not disableConcurrentBuilds()', () => {
    const jenkinsfile = ciBlocks.find((b) => b.lang === 'groovy')?.code ?? '';
    expect(jenkinsfile).toMatch(/lock\(resource: '[^']+'\)/);
    expect(jenkinsfile).toMatch(/milestone\(/);
    expect(jenkinsfile).not.toContain('disableConcurrentBuilds()');
  });

  it('every rollout command line in the CI pipelines is a real command with real flags (as commander declares them)', async () => {
    const calls = ciBlocks
      .filter((b) => b.lang === 'yaml' || b.lang === 'groovy' || b.lang === 'bash')
      .flatMap((b) => [...b.code.matchAll(/npx (?:--yes )?rolloutctl(?:@\S+)? ([a-z]+)((?: +(?:"[^"]*"|'[^']*'|[^\s;|&)'"]+))*)/g)])
      .map((m) => ({ command: m[1] ?? '', flags: [...(m[2] ?? '').matchAll(/(?:^|\s)(--?[a-z][\w-]*)/g)].map((f) => f[1] ?? '') }));
    const commands = [...new Set(calls.map((c) => c.command))];
    expect(commands).toEqual(expect.arrayContaining(['run', 'promote', 'abort', 'status', 'rollback']));
    const known = new Map<string, Set<string>>();
    for (const command of commands) {
      const help = await runCli([command, '--help']);
      expect(help.exitCode, `rollout ${command} is not a command: ${help.stderr}`).toBe(0);
      known.set(
        command,
        new Set([...help.stdout.matchAll(/^\s+(?:(-\w), )?(--[\w-]+)/gm)].flatMap((m) => [m[1], m[2]].filter((f): f is string => f !== undefined))),
      );
    }
    for (const call of calls) for (const flag of call.flags) expect(known.get(call.command), `rollout ${call.command} ${flag}`).toContain(flag);
  });

  it('GitHub two-job flow: job outputs from the step, promote and abort behind reviewed environments, the gate id through env', () => {
    const workflow = yamlOf('.github/workflows/deploy-gated.yml');
    const job = (name: string) => get(workflow, 'jobs', name);
    expect(get(job('rollout'), 'outputs')).toEqual({ paused: '${{ steps.rollout.outputs.paused }}', gate: '${{ steps.rollout.outputs.gate }}' });
    expect(
      String(
        get(
          list(get(job('rollout'), 'steps')).find((s) => get(s, 'id') === 'rollout'),
          'run',
        ),
      ),
    ).toContain('--paused-exit-code 0');
    expect(get(job('promote'), 'needs')).toBe('rollout');
    expect(get(job('promote'), 'if')).toBe("needs.rollout.outputs.paused == 'true'");
    expect(get(job('promote'), 'environment')).toBe('production');
    expect(get(job('abort'), 'needs')).toEqual(['rollout', 'promote']);
    expect(get(job('abort'), 'if')).toMatch(/!cancelled\(\) && needs\.rollout\.outputs\.paused == 'true' && needs\.promote\.result != 'success'/);
    expect(get(job('abort'), 'environment')).not.toBe(get(job('promote'), 'environment')); // one approval must not start both
    for (const name of ['promote', 'abort']) {
      const steps = list(get(job(name), 'steps'));
      const decide = steps.find((s) => get(s, 'id') === 'rollout');
      expect(get(decide, 'run'), 'no expression pasted into the script').not.toContain('${{');
      expect(get(decide, 'env', 'GATE')).toBe('${{ needs.rollout.outputs.gate }}');
      expect(steps.some((s) => String(get(s, 'uses')).startsWith('actions/download-artifact') && get(s, 'with', 'name') === 'rollout-state')).toBe(true);
      expect(steps.find((s) => String(get(s, 'uses')).startsWith('actions/upload-artifact'))).toMatchObject({
        with: { name: 'rollout-state', overwrite: true },
      });
    }
  });

  it('GitLab two-job flows: exit 7 allowed, manual jobs from rules in a protected environment, state by artifact or by PostgreSQL', () => {
    const artifact = yamlOf('.gitlab-ci.yml (gated: state as an artifact)');
    expect(get(artifact, 'deploy', 'allow_failure', 'exit_codes')).toEqual([7]);
    expect(get(artifact, 'deploy', 'artifacts', 'reports', 'dotenv')).toBe('rollout.env');
    expect(get(artifact, 'deploy', 'artifacts', 'paths')).toEqual(['.rollout/']);
    expect(get(artifact, '.decide', 'needs')).toEqual([{ job: 'deploy', artifacts: true }]);
    expect(list(get(artifact, '.decide', 'rules')).map((r) => get(r, 'when'))).toEqual(['manual']);
    const postgres = yamlOf('.gitlab-ci.yml (gated: state in PostgreSQL)');
    expect(String(get(postgres, 'variables', 'ROLLOUT_STATE'))).toMatch(/^postgres:\/\//);
    for (const pipeline of [artifact, postgres]) {
      for (const name of ['promote', 'abort']) {
        expect(get(pipeline, name, 'environment', 'name')).toBe('production');
        expect(list(get(pipeline, name, 'script')).join('\n')).toContain('--gate "$ROLLOUT_GATE"');
      }
    }
    for (const name of ['deploy', 'promote', 'abort']) expect(get(postgres, name, 'artifacts', 'paths'), `${name} carries no state`).toBeUndefined();
  });
});
