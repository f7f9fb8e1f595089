import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/cli.js';
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
    for (const call of text.matchAll(/npx rolloutctl@(\S+?)(?=[\s`'"]|$)/gm)) expect(call[1], `${file}: ${call[0]}`).toBe(version);
    // Unpinned forms, as commands (the prose may name them as what not to do).
    expect(text).not.toMatch(/npx (--yes )?rolloutctl (run|status|rollback|resume|plan|validate|init|unlock)\b/);
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
});
