import { accessSync, constants } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startProcess, waitUntil } from './server-process.js';

/**
 * A real InfluxDB 1.x from Debian (`influxdb`) on free loopback ports with throwaway meta, data and
 * WAL directories (configured through its INFLUXDB_* environment, no config file), fed with the line
 * protocol over HTTP `/write` the way an app's client library does. A missing binary fails the test
 * with what to install; it never skips.
 */
export const INFLUXDB_MISSING = 'install influxdb (apt-get install influxdb; .ci/install-deps.sh does it)';

export interface TestInfluxdb {
  url: string;
  /** `CREATE DATABASE name` through /query. */
  createDatabase(name: string): Promise<void>;
  /** Writes line-protocol lines (`measurement,tag=v field=1 <ns>`), as a client library does. */
  write(db: string, lines: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startInfluxdb(): Promise<TestInfluxdb> {
  let binary = '';
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      accessSync(path.join(dir, 'influxd'), constants.X_OK);
      binary = path.join(dir, 'influxd');
      break;
    } catch {}
  }
  if (binary === '') throw new Error(`no influxd on PATH: ${INFLUXDB_MISSING}`);
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'rollout-influxdb-')));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const server = startProcess('influxd', binary, ['run', '-config', '/dev/null'], {
    INFLUXDB_META_DIR: path.join(dir, 'meta'),
    INFLUXDB_DATA_DIR: path.join(dir, 'data'),
    INFLUXDB_DATA_WAL_DIR: path.join(dir, 'wal'),
    INFLUXDB_HTTP_BIND_ADDRESS: `127.0.0.1:${httpPort}`,
    INFLUXDB_BIND_ADDRESS: `127.0.0.1:${rpcPort}`,
    INFLUXDB_REPORTING_DISABLED: 'true',
    INFLUXDB_HTTP_LOG_ENABLED: 'false',
    INFLUXDB_DATA_QUERY_LOG_ENABLED: 'false',
    INFLUXDB_LOGGING_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const close = async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitUntil('influxd', async () => (await fetch(`${url}/ping`)).status === 204), server.exited]);
  } catch (error) {
    await close();
    throw error;
  }
  const post = async (pathAndQuery: string, body: string | URLSearchParams) => {
    const response = await fetch(`${url}${pathAndQuery}`, { method: 'POST', body });
    if (response.status >= 300) throw new Error(`influxdb ${pathAndQuery}: HTTP ${response.status} ${await response.text()}`);
  };
  return {
    url,
    createDatabase: (name) => post('/query', new URLSearchParams({ q: `CREATE DATABASE "${name}"` })),
    write: (db, lines) => post(`/write?db=${encodeURIComponent(db)}`, lines.join('\n')),
    close,
  };
}
