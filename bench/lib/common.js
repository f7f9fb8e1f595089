import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'rollout.js');
const TIME = '/usr/bin/time';

/** The CLI's environment: plain output, no colour, nothing inherited that changes its behaviour. */
export function cliEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ROLLOUT_') && key !== 'FORCE_COLOR') env[key] = value;
  return { ...env, NO_COLOR: '1', CI: 'true' };
}

export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile; `null` for no values. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function tempDir(label) {
  return mkdtempSync(path.join(tmpdir(), `rollout-bench-${label}-`));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs a command to completion. Wall time from our own clock; CPU seconds (user + sys of the
 * process and everything it waited for) and peak RSS (largest single process, MB) from
 * /usr/bin/time when present, else null.
 */
export function measure(command, args, { cwd = repoRoot, env = cliEnv(), stdout = 'ignore', stderr = 'ignore', withTime = false } = {}) {
  const useTime = withTime && existsSync(TIME);
  const dir = useTime ? tempDir('time') : null;
  const timeFile = dir ? path.join(dir, 'time.txt') : null;
  const argv = useTime ? ['-f', '%U %S %M', '-o', timeFile, command, ...args] : args;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(useTime ? TIME : command, argv, { cwd, env, stdio: ['ignore', stdout, stderr] });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.resume();
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      let cpuSeconds = null;
      let peakRssMb = null;
      if (timeFile) {
        const fields = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        cpuSeconds = fields[0] + fields[1];
        peakRssMb = fields[2] / 1024;
        removeDir(dir);
      }
      resolve({ code, signal, wallMs, cpuSeconds, peakRssMb, output });
    });
  });
}

/** Runs the CLI; fails loudly when it exits with another code than expected (a broken bench is not a figure). */
export async function measureCli(args, { expectCode = 0, ...options } = {}) {
  const result = await measure(process.execPath, [binPath, ...args], options);
  if (result.code !== expectCode) throw new Error(`rollout ${args.join(' ')} exited ${result.code ?? result.signal}, expected ${expectCode}`);
  return result;
}

/** A YAML plan (written by hand: the bench must not depend on what it measures). */
export function writePlan(dir, { name = 'bench', defaults = {}, stages, file = 'rollout.config.yml' }) {
  const q = (value) => (typeof value === 'number' ? String(value) : JSON.stringify(value));
  const lines = [`name: ${name}`, `state: ${q(path.join(dir, 'state', 'state.json'))}`];
  if (Object.keys(defaults).length > 0) {
    lines.push('defaults:');
    for (const [key, value] of Object.entries(defaults)) lines.push(`  ${key}: ${q(value)}`);
  }
  lines.push('stages:');
  for (const stage of stages) {
    lines.push(`  - name: ${q(stage.name)}`, `    deploy: ${q(stage.deploy)}`);
    if (stage.rollback) lines.push(`    rollback: ${q(stage.rollback)}`);
    if (stage.soak !== undefined) lines.push(`    soak: ${q(stage.soak)}`);
    if (stage.health?.length) {
      lines.push('    health:');
      for (const check of stage.health) {
        lines.push(`      - url: ${q(check.url)}`);
        for (const key of ['interval', 'timeout', 'failureThreshold']) if (check[key] !== undefined) lines.push(`        ${key}: ${q(check[key])}`);
      }
    }
  }
  const planPath = path.join(dir, file);
  writeFileSync(planPath, `${lines.join('\n')}\n`);
  return planPath;
}

/** One table row. `ratio` is ours / baseline; `pass` compares `value` (ours or a derived figure) to the target. */
export function row({ id, figure, unit, ours, baseline, target, pass, note = '' }) {
  const ratio = typeof ours === 'number' && typeof baseline === 'number' && baseline !== 0 ? ours / baseline : null;
  return { id, figure, unit, ours, baseline, ratio, target, pass, note };
}

export function round(value, digits = 1) {
  if (value === null || value === undefined) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
