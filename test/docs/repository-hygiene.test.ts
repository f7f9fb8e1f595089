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
      fs.writeFileSync(state, JSON.stringify({ version: 2, runId: 'x', stages: [] }));
      const result = await runCli(['status', '--state', state], { cwd: dir });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('version 1');
    } finally {
      await removeTempDir(dir);
    }
  });
});
