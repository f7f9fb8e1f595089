import { parse, stringify } from 'yaml';
import { codeBlocks } from './markdown-blocks.js';

/**
 * The complete example plan docs/checks.md shows for one metric source, so the e2e tests run the
 * very checks the documentation gives (against a real server, or the documented API) instead of
 * a copy that could drift. `checksYaml` re-indents them for a test plan, with test timings.
 */
export interface DocPlan {
  vars: Record<string, string>;
  checks: Record<string, Record<string, unknown>>;
}

export function docPlan(type: string): DocPlan {
  for (const block of codeBlocks('docs/checks.md')) {
    if (block.lang !== 'yaml') continue;
    const plan = parse(block.code) as Partial<DocPlan> | null;
    const checks = Object.values(plan?.checks ?? {});
    if (checks.length > 0 && checks.every((check) => check.type === type)) return plan as DocPlan;
  }
  throw new Error(`docs/checks.md has no complete example plan for type: ${type}`);
}

/** The checks as the `checks:` block of a test plan: each with `overrides` (e.g. interval: 1s) applied. */
export function checksYaml(checks: DocPlan['checks'], overrides: Record<string, unknown>): string {
  const withOverrides = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, { ...check, ...overrides }]));
  return stringify(withOverrides)
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
