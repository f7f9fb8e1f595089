import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { planSchema } from './schema.js';

export const SCHEMA_ID = 'https://unpkg.com/rolloutctl/schema.json';

/** The JSON Schema editors use to complete and check plans; generated, never edited by hand. */
export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(planSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  return { ...schema, $id: SCHEMA_ID, title: 'rolloutctl plan' };
}

export function renderJsonSchema(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}

/** `npm run schema` regenerates the shipped file. */
export function writeJsonSchema(path: string): void {
  writeFileSync(path, renderJsonSchema());
}
