import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL for the state-backend tests: initdb into a throwaway directory, started on a
 * free loopback port, stopped (and the directory removed) after. PostgreSQL refuses to run as
 * root, so under root the server runs as the `postgres` system user the Debian package creates.
 * When no server can be started the tests FAIL with what to install: they never skip.
 */
export const PG_PASSWORD = 'pg-Secret-p4ss%word';
const PG_USER = 'rollout';
const INSTALL_HINT = 'install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; .ci/install-deps.sh does it on CI)';

export interface PostgresServer {
  port: number;
  /** A URL with the password in it: what the tests must never see printed. */
  url(options?: { schema?: string; leaseTtl?: string }): string;
  /** A URL whose password comes from `${env.ROLLOUT_TEST_PGPASS}`. */
  envUrl(options?: { schema?: string; leaseTtl?: string }): string;
  query(text: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Stops the server (fast shutdown), keeping its data: `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = path.join(root, version, 'bin');
    if (existsSync(path.join(dir, 'postgres')) && existsSync(path.join(dir, 'initdb'))) return dir;
  }
  try {
    return path.dirname(execFileSync('which', ['postgres'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(`no PostgreSQL server binary found (looked in ${root}/*/bin and PATH): ${INSTALL_HINT}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Runs a command as the unprivileged `postgres` user when we are root, else as ourselves. setpriv
 * execs in place (runuser would stay in between and not pass SIGINT on), so signals reach postgres.
 */
function asServerUser(command: string, args: string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args };
  return { command: 'setpriv', args: ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args] };
}

export async function startPostgres(options: { fsync?: boolean } = {}): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'rollout-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      throw new Error(`running as root and there is no 'postgres' user to run the server as: ${INSTALL_HINT}`);
    }
    execFileSync('chown', ['-R', 'postgres', dir]);
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), -1);
  }
  const init = asServerUser(path.join(bin, 'initdb'), ['-D', data, '-U', PG_USER, '--pwfile', pwfile, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  try {
    execFileSync(init.command, init.args, { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${String((error as { stderr?: unknown }).stderr ?? error)}; ${INSTALL_HINT}`);
  }
  const port = await freePort();
  let child: ChildProcess | null = null;
  let log = '';

  const url = (o: { schema?: string; leaseTtl?: string } = {}, password = encodeURIComponent(PG_PASSWORD)) => {
    const params = new URLSearchParams();
    if (o.schema) params.set('schema', o.schema);
    if (o.leaseTtl) params.set('leaseTtl', o.leaseTtl);
    const query = params.toString();
    return `postgres://${PG_USER}:${password}@127.0.0.1:${port}/postgres${query ? `?${query}` : ''}`;
  };
  const query = async (text: string, params?: unknown[]) => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      return await client.query(text, params);
    } finally {
      await client.end();
    }
  };

  const start = async () => {
    const run = asServerUser(path.join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `fsync=${options.fsync ? 'on' : 'off'}`,
      '-c',
      'max_connections=200',
    ]);
    log = '';
    const started = spawn(run.command, run.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stderr?.on('data', (chunk) => {
      log += chunk;
    });
    started.stdout?.resume();
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (started.exitCode !== null) throw new Error(`PostgreSQL exited at start (${started.exitCode}): ${log.slice(-2000)}; ${INSTALL_HINT}`);
      try {
        await query('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 30s: ${(error as Error).message}\n${log.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGINT'); // fast shutdown: disconnects clients, aborts transactions
    await exited;
  };

  try {
    await start();
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: (o) => url(o),
    envUrl: (o) => url(o, '${env.ROLLOUT_TEST_PGPASS}'),
    query,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
