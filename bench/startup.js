import { binPath, cliEnv, measure, median, removeDir, round, row, tempDir, writePlan } from './lib/common.js';
import { nodeBinaries } from './lib/node-versions.js';

/**
 * Figure 1, start-up: `--version`, `--help` and `validate` of a 50-stage plan against `node -e 0`
 * of the same Node, on each Node version in `majors` (the running one, plus the npm registry's
 * node@22 and node@24), interleaved run by run so machine noise hits every side alike. On Node
 * >= 22.1 the CLI uses its compile cache (warm after the warm-up run); one more row shows validate
 * with it off, as on a machine's first run.
 */
export async function bench({ runs = 15, stages = 50, majors = [20, 22, 24] } = {}) {
  const dir = tempDir('startup');
  try {
    // Found by discovery (rollout.config.yml in the working directory), as users run it.
    writePlan(dir, {
      stages: Array.from({ length: stages }, (_, i) => ({
        name: `stage-${i + 1}`,
        deploy: `./deploy.sh --weight ${i + 1}`,
        rollback: './deploy.sh --weight 0',
        soak: '30s',
        health: [{ url: `http://127.0.0.1:8080/healthz/${i + 1}`, interval: '2s', timeout: '1s', failureThreshold: 2 }],
      })),
    });
    const env = cliEnv();
    const noCache = { ...env, ROLLOUT_NO_COMPILE_CACHE: '1' };
    const nodes = nodeBinaries(majors);
    const cases = [];
    for (const node of nodes) {
      const at = node.path === process.execPath ? '' : ` on Node ${node.major}`;
      const id = (name) => (node.path === process.execPath ? `startup.${name}` : `startup.${name}.node${node.major}`);
      const validateTarget = node.major <= 20 ? 2.5 : 3;
      cases.push(
        { node, id: id('version'), figure: `start-up: --version${at}`, args: ['--version'], target: 1.5, env },
        { node, id: id('help'), figure: `start-up: --help${at}`, args: ['--help'], target: 1.5, env },
        { node, id: id('validate'), figure: `start-up: validate (${stages} stages)${at}`, args: ['validate'], target: validateTarget, env },
      );
      if (node.major >= 22 && majors.length > 1) {
        cases.push({ node, id: id('validate.nocache'), figure: `start-up: validate, compile cache off${at}`, args: ['validate'], target: null, env: noCache });
      }
    }
    const spawnCli = async (c) => {
      const result = await measure(c.node.path, [binPath, ...c.args], { env: c.env, cwd: dir });
      if (result.code !== 0) throw new Error(`rollout ${c.args.join(' ')} on Node ${c.node.major} exited ${result.code ?? result.signal}`);
      return result.wallMs;
    };
    const baselines = new Map(nodes.map((node) => [node, []]));
    const ours = cases.map(() => []);
    // One warm-up of each, not recorded: the first spawn pays for a cold page cache (and compile cache).
    for (const node of nodes) await measure(node.path, ['-e', '0'], { env });
    for (const c of cases) await spawnCli(c);
    for (let run = 0; run < runs; run++) {
      for (const node of nodes) baselines.get(node).push((await measure(node.path, ['-e', '0'], { env })).wallMs);
      for (const [i, c] of cases.entries()) ours[i].push(await spawnCli(c));
    }
    return cases.map((c, i) => {
      const value = median(ours[i]);
      const baseline = median(baselines.get(c.node));
      return row({
        id: c.id,
        figure: c.figure,
        unit: 'ms',
        ours: round(value),
        baseline: round(baseline),
        target: c.target === null ? '—' : `≤ ${c.target}× node -e 0`,
        pass: c.target === null ? null : value / baseline <= c.target,
        note: `median of ${runs}, ${c.node.path === process.execPath ? 'running' : 'npm registry'} Node ${c.node.major}`,
      });
    });
  } finally {
    removeDir(dir);
  }
}
