/**
 * A real Prometheus (Debian's `prometheus` package) on a free loopback port with its own config and
 * a throwaway data directory, scraping the given targets every second. Shared by the tests (through
 * test/helpers/prometheus.ts) and the benchmarks; types in prometheus.d.ts. A missing binary is an
 * error saying what to install: a test needing Prometheus fails, it never skips.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
export const PROMETHEUS_MISSING = 'install prometheus (apt-get install prometheus): the Prometheus tests start a real one';
/** `PROMETHEUS_BIN`, else `prometheus` on the PATH. */
export function prometheusBinary(env = process.env) {
  const candidates = [env.PROMETHEUS_BIN, ...(env.PATH ?? '').split(':').map((dir) => path.join(dir, 'prometheus'))];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  throw new Error(PROMETHEUS_MISSING);
}
export async function startPrometheus(targets, { scrapeInterval = '1s' } = {}) {
  const binary = prometheusBinary();
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'rollout-prometheus-')));
  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  await fs.writeFile(
    config,
    `global:\n  scrape_interval: ${scrapeInterval}\n  evaluation_interval: ${scrapeInterval}\nscrape_configs:\n  - job_name: test-service\n    static_configs:\n      - targets: ${JSON.stringify(targets)}\n`,
  );
  const url = `http://127.0.0.1:${port}`;
  let child = null;
  let output = '';
  const start = async () => {
    output = '';
    child = spawn(
      binary,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // A series missing for 10s is gone: "no traffic" shows as no data soon, not after 5 minutes.
        '--query.lookback-delta=10s',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`prometheus exited (${code}) before it was ready:\n${output.slice(-2000)}`))),
    );
    await Promise.race([waitReady(url, 30_000), exited]);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  const query = async (promql) => {
    const answer = await getJson(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    if (answer.status !== 'success') throw new Error(`prometheus: ${answer.error}`);
    return answer.data;
  };
  return {
    url,
    port,
    query,
    async waitFor(promql, accept, limitMs = 30_000) {
      const until = Date.now() + limitMs;
      let last;
      while (Date.now() < until) {
        last = (await query(promql)).result;
        if (accept(last)) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`prometheus: ${promql} did not reach the expected value within ${limitMs}ms; last: ${JSON.stringify(last)}`);
    },
    stop,
    start,
    async close() {
      await stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
async function waitReady(url, limitMs) {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const status = await new Promise((resolve) => http.get(`${url}/-/ready`, (res) => resolve(res.resume().statusCode ?? 0)).on('error', () => resolve(0)));
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus at ${url} was not ready within ${limitMs}ms`);
}
async function getJson(url) {
  const response = await fetch(url);
  return await response.json();
}
async function freePort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(() => resolve()));
  return port;
}
