import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** A one-stage plan of prometheus checks, written by hand (the bench must not depend on what it measures). */
export function writeMetricPlan(dir, { file, soak, rollback = null, checks }) {
  const q = JSON.stringify;
  const lines = ['name: bench', `state: ${q(path.join(dir, 'state', `${file}.json`))}`, 'stages:', '  - name: canary', '    deploy: "true"'];
  if (rollback) lines.push(`    rollback: ${q(rollback)}`);
  lines.push(`    soak: ${q(soak)}`, '    health:');
  for (const check of checks) {
    lines.push('      - type: prometheus');
    for (const [key, value] of Object.entries(check)) lines.push(`        ${key}: ${typeof value === 'number' ? value : q(value)}`);
  }
  const planPath = path.join(dir, file);
  writeFileSync(planPath, `${lines.join('\n')}\n`);
  return planPath;
}

/** The 5xx share of one version's requests over `window`, 0 when it has traffic but no errors. */
export function errorRatio(version, window) {
  return `(sum(rate(http_requests_total{version="${version}",code=~"5.."}[${window}])) or vector(0)) / sum(rate(http_requests_total{version="${version}"}[${window}]))`;
}
