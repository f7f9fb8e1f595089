import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; license: string; files: string[] };

describe('repository hygiene', () => {
  it('has the MIT LICENSE package.json declares', () => {
    expect(pkg.license).toBe('MIT');
    const license = read('LICENSE');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 rolloutctl authors\n/);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });

  it('has a CHANGELOG with an Unreleased section and the released version', () => {
    const changelog = read('CHANGELOG.md');
    expect(changelog).toContain('## [Unreleased]');
    expect(changelog).toContain(`## [${pkg.version}]`);
  });

  it('states what may change in a minor release for the state document and the NDJSON events', () => {
    const policy = read('docs/versioning.md');
    expect(policy).toMatch(/## The state document/);
    expect(policy).toMatch(/## The NDJSON events/);
    expect(policy).toMatch(/minor release may \*\*add\*\* fields/);
    expect(policy).toMatch(/new event \*\*types\*\* may appear in a minor release/);
  });

  it('keeps the promise that a state document of another version is refused, not guessed at (exit 2)', async () => {
    const dir = await makeTempDir();
    try {
      const state = path.join(dir, 'state.json');
      fs.writeFileSync(state, JSON.stringify({ version: 3, runId: 'x', stages: [] }));
      const result = await runCli(['status', '--state', state], { cwd: dir });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('reads state document versions 1 and 2 only');
    } finally {
      await removeTempDir(dir);
    }
  });
});

describe('docs and comments describe what exists', () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      return entry.isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
    });

  it('architecture.md names the HTTP library the code imports', () => {
    const imported = (module: string) => sources('src').some((file) => read(file).includes(`from '${module}'`));
    const architecture = read('docs/architecture.md');
    expect(imported('undici')).toBe(true);
    expect(architecture).toContain('undici');
    for (const module of ['node:http', 'node:https'])
      if (!imported(module)) expect(architecture, `docs/architecture.md names ${module}, which no source imports`).not.toContain(module);
  });

  it('docs/ci.md does not wait for the shared state backend that ships (src/state/postgres/)', () => {
    expect(fs.existsSync(path.join(repoRoot, 'src/state/postgres'))).toBe(true);
    const ci = read('docs/ci.md');
    expect(ci).not.toMatch(/until a shared state backend exists/i);
    expect(ci).toContain('(state-backends.md)');
  });

  it('comments name only versions that were released (a `## [x.y.z]` in CHANGELOG.md)', () => {
    const released = new Set([...read('CHANGELOG.md').matchAll(/^## \[(\d+\.\d+)\.\d+\]/gm)].map((m) => m[1]));
    const named = sources('src').flatMap((file) =>
      [...read(file).matchAll(/\b(?:[Aa]dded in|[Bb]efore|[Ss]ince|[Ff]rom) v?(\d+\.\d+)\b/g)].map((m) => ({ file, version: m[1] as string })),
    );
    expect(named.filter(({ version }) => !released.has(version))).toEqual([]);
  });
});
