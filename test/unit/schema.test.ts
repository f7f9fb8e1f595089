import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderJsonSchema } from '../../src/plan/json-schema.js';

const root = new URL('../../', import.meta.url);

describe('schema.json', () => {
  it('matches the zod schema (run `npm run schema` after changing src/plan/schema.ts)', () => {
    expect(readFileSync(new URL('schema.json', root), 'utf8')).toBe(renderJsonSchema());
  });

  it('is referenced by the example plan, so editors complete and check it', () => {
    const example = readFileSync(new URL('rollout.config.example.yml', root), 'utf8');
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
  });
});
