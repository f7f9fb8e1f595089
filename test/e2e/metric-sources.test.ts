import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../src/checks/registry.js';
import { describeResult, repoRoot, runCli } from '../helpers/cli.js';

/**
 * Every check kind in the registry is one users can find: named in `rollout init --help` and a
 * `type` that schema.json (what editors complete from) knows, with its own keys.
 */
describe('check kinds are discoverable', () => {
  it('rollout init --help names every kind in the registry', async () => {
    const result = await runCli(['init', '--help']);
    expect(result.exitCode, describeResult(result)).toBe(0);
    for (const type of Object.keys(CHECK_KINDS)) expect(result.stdout).toMatch(new RegExp(`\\b${type}\\b`));
  });

  it('schema.json offers every kind as a type, with its own keys', () => {
    const schema = fs.readFileSync(path.join(repoRoot, 'schema.json'), 'utf8');
    for (const type of Object.keys(CHECK_KINDS)) expect(schema).toContain(`"const": "${type}"`);
    for (const key of ['"target"', '"db"', '"site"', '"appKey"', '"MetricDataQueries"', '"retries"', '"window"']) expect(schema).toContain(key);
  });
});
