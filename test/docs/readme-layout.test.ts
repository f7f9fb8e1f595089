import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const docFiles = fs
  .readdirSync(path.join(repoRoot, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => path.join('docs', name));

/** Relative Markdown link targets of a file, without their #fragment. */
function relativeLinks(file: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0] ?? '');
}

describe('README is the newcomer page, the reference lives in docs/', () => {
  it('stays short: about 200 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(235);
  });

  it('shows the start-up and output figures bench/results/latest.json holds, as `npm run bench` writes them', async () => {
    const { withReadmeTable, README_START } = await import('../../bench/lib/readme-table.js');
    const latest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'bench', 'results', 'latest.json'), 'utf8'));
    expect(readme).toContain(README_START);
    expect(readme).toBe(withReadmeTable(readme, latest.rows));
  });

  it('keeps the two commands a newcomer starts with', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });

  it('keeps what it is, a first plan, the commands, exit codes and the CI quick start', () => {
    for (const heading of ['## Try it', '## A first plan', '## Commands', '## Exit codes', '## In CI', '## Reference']) {
      expect(readme).toContain(heading);
    }
  });

  it('links every reference page in docs/', () => {
    for (const page of ['plan', 'events-and-state', 'recovery', 'performance', 'architecture', 'ci']) {
      expect(readme).toContain(`](docs/${page}.md)`);
    }
  });

  it.each(['README.md', ...docFiles])('%s links only to files that exist', (file) => {
    for (const target of relativeLinks(file)) {
      const resolved = path.resolve(repoRoot, path.dirname(file), target);
      expect(fs.existsSync(resolved), `${file} links to ${target}, which does not exist`).toBe(true);
    }
  });
});

describe('the exit-code table', () => {
  it('lists every exit code the CLI uses', async () => {
    const { ExitCode } = await import('../../src/errors.js');
    const table = readme.slice(readme.indexOf('## Exit codes'), readme.indexOf('\n## ', readme.indexOf('## Exit codes') + 1));
    for (const [name, code] of Object.entries(ExitCode)) {
      expect(table, `exit code ${code} (${name})`).toMatch(new RegExp(`^\\| (\\d+ / )?${code}( / \\d+)? \\|`, 'm'));
    }
  });
});
