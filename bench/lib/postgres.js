import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL for the state-backend figures (same recipe as test/helpers/postgres.ts):
 * initdb into a temp dir, start on a free loopback port as the `postgres` user when we are root,
 * fsync on (the local backend fsyncs too, so the comparison is fair).
 */
export async function startPostgres() {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (!version) throw new Error('no PostgreSQL found in /usr/lib/postgresql: apt-get install postgresql');
  const bin = path.join(root, version, 'bin');
  const dir = mkdtempSync(path.join(tmpdir(), 'rollout-bench-pg-'));
  const data = path.join(dir, 'data');
  writeFileSync(path.join(dir, 'pw'), 'bench-pass\n');
  const root_ = process.getuid?.() === 0;
  const as = (cmd, args) => (root_ ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]] : [cmd, args]);
  if (root_) execFileSync('chown', ['-R', 'postgres', dir]);
  execFileSync(...as(path.join(bin, 'initdb'), ['-D', data, '-U', 'bench', '--pwfile', path.join(dir, 'pw'), '--auth=scram-sha-256', '--no-sync']), {
    stdio: 'pipe',
  });
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
  const [cmd, args] = as(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1']);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  const url = `postgres://bench:bench-pass@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      if (i > 300) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
