import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, type ServerProcess, startProcess, waitUntil } from './server-process.js';

/**
 * A real Graphite from Debian (`graphite-carbon` + `graphite-web`): carbon-cache receiving the
 * plaintext protocol and the Django web app (`django-admin runserver`, with a throwaway settings
 * module) answering `/render`, both on free loopback ports with one throwaway storage directory.
 * The web app reads carbon's cache (CARBONLINK_HOSTS), so a point is visible as soon as it is sent.
 * Missing packages fail the test with what to install; it never skips.
 */
export const GRAPHITE_MISSING = 'install graphite-carbon and graphite-web (apt-get install graphite-carbon graphite-web; .ci/install-deps.sh does it)';

export interface TestGraphite {
  url: string;
  /** Sends `name value timestamp` lines over carbon's plaintext protocol, as an app's statsd/collector would. */
  send(points: { name: string; value: number; time?: number }[]): Promise<void>;
  /** Waits until `target` renders a non-null latest point. */
  waitFor(target: string, accept: (value: number) => boolean, limitMs?: number): Promise<void>;
  close(): Promise<void>;
}

function need(binary: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      accessSync(path.join(dir, binary), constants.X_OK);
      return path.join(dir, binary);
    } catch {}
  }
  throw new Error(`no ${binary} on PATH: ${GRAPHITE_MISSING}`);
}

export async function startGraphite(): Promise<TestGraphite> {
  const carbon = need('carbon-cache');
  const django = need('django-admin');
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'rollout-graphite-')));
  const [linePort, picklePort, queryPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  for (const sub of ['conf', 'storage/whisper', 'log/carbon', 'log/webapp']) await mkdir(path.join(dir, sub), { recursive: true });
  await writeFile(
    path.join(dir, 'conf/carbon.conf'),
    `[cache]\nSTORAGE_DIR = ${dir}/storage/\nLOCAL_DATA_DIR = ${dir}/storage/whisper/\nCONF_DIR = ${dir}/conf/\nLOG_DIR = ${dir}/log/carbon/\nPID_DIR = ${dir}/\nDATABASE = whisper\nMAX_CACHE_SIZE = inf\nMAX_UPDATES_PER_SECOND = 500\nMAX_CREATES_PER_MINUTE = inf\nLINE_RECEIVER_INTERFACE = 127.0.0.1\nLINE_RECEIVER_PORT = ${linePort}\nENABLE_UDP_LISTENER = False\nPICKLE_RECEIVER_INTERFACE = 127.0.0.1\nPICKLE_RECEIVER_PORT = ${picklePort}\nCACHE_QUERY_INTERFACE = 127.0.0.1\nCACHE_QUERY_PORT = ${queryPort}\n`,
  );
  // One-second points for an hour: a test's points are each their own datapoint.
  await writeFile(path.join(dir, 'conf/storage-schemas.conf'), '[default]\npattern = .*\nretentions = 1s:1h\n');
  await writeFile(
    path.join(dir, 'graphite_test_settings.py'),
    `SECRET_KEY = 'throwaway-test-key'\nSTORAGE_DIR = '${dir}/storage/'\nLOG_DIR = '${dir}/log/webapp/'\nCARBONLINK_HOSTS = ['127.0.0.1:${queryPort}']\nALLOWED_HOSTS = ['*']\n`,
  );
  const processes: ServerProcess[] = [];
  const close = async () => {
    await Promise.all(processes.map((one) => one.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const cache = startProcess('carbon-cache', carbon, [`--config=${dir}/conf/carbon.conf`, '--debug', 'start']);
    processes.push(cache);
    await Promise.race([waitUntil('carbon-cache', () => canConnect(linePort)), cache.exited]);
    const web = startProcess(
      'graphite-web',
      django,
      ['runserver', `127.0.0.1:${webPort}`, '--noreload'],
      {
        PYTHONPATH: dir,
        GRAPHITE_SETTINGS_MODULE: 'graphite_test_settings',
        DJANGO_SETTINGS_MODULE: 'graphite.settings',
      },
      dir,
    );
    processes.push(web);
    const url = `http://127.0.0.1:${webPort}`;
    await Promise.race([waitUntil('graphite-web', async () => (await fetch(`${url}/render?format=json&target=none`)).status === 200, 60_000), web.exited]);
    const render = async (target: string) =>
      (await (await fetch(`${url}/render?format=json&from=-5min&target=${encodeURIComponent(target)}`)).json()) as { datapoints: [number | null, number][] }[];
    return {
      url,
      async send(points) {
        const now = Math.floor(Date.now() / 1000);
        const text = points.map((point) => `${point.name} ${point.value} ${point.time ?? now}\n`).join('');
        await new Promise<void>((resolve, reject) => {
          const socket = connect(linePort, '127.0.0.1', () => socket.end(text));
          socket.once('error', reject);
          socket.once('close', () => resolve());
        });
      },
      async waitFor(target, accept, limitMs = 20_000) {
        await waitUntil(
          `graphite target ${target}`,
          async () => {
            const points = (await render(target)).flatMap((series) => series.datapoints.filter((point) => point[0] !== null));
            const latest = points.sort((a, b) => a[1] - b[1]).at(-1);
            return latest !== undefined && accept(latest[0] as number);
          },
          limitMs,
        );
      },
      close,
    };
  } catch (error) {
    await close();
    throw new Error(`${(error as Error).message}\n(${GRAPHITE_MISSING})`);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
