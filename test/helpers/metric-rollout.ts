import { type CliResult, runCli } from './cli.js';
import { readLines, writePlan } from './temp-dir.js';

/**
 * A one-stage canary rollout judged by metric checks, run through the built CLI with `--json`: what
 * the e2e tests of each metric source share. The rollback leaves a marker file.
 */
export interface MetricRollout {
  file: string;
  result: CliResult;
  events: (Record<string, unknown> & { type: string })[];
  polls(check: string): (Record<string, unknown> & { type: string })[];
  rolledBack(): Promise<boolean>;
}

export async function runMetricRollout(
  dir: string,
  {
    vars,
    checks,
    run,
    soak = '3s',
    extra = '',
    env,
  }: { vars: Record<string, string>; checks: string; run: string[]; soak?: string; extra?: string; env?: Record<string, string> },
): Promise<MetricRollout> {
  const file = `plan-${Math.random().toString(36).slice(2, 10)}`;
  await writePlan(
    dir,
    `name: ${file}
vars: ${JSON.stringify(vars)}
state: state/${file}.json${extra}
checks:
${checks}
defaults: { checks: [${run.join(', ')}] }
stages:
  - name: canary
    deploy: "true"
    rollback: echo rolled-back >> ${file}.rollback
    soak: ${soak}
`,
    `${file}.yml`,
  );
  const result = await runCli(['run', '--json', '-c', `${file}.yml`], { cwd: dir, ...(env ? { env } : {}) });
  const events = result.stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown> & { type: string });
  return {
    file,
    result,
    events,
    polls: (check) => events.filter((e) => e.type === 'check.polled' && e.check === check),
    rolledBack: async () => (await readLines(`${dir}/${file}.rollback`)).length > 0,
  };
}
