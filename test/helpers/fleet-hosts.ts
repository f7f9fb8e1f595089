import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { repoRoot } from './cli.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/**
 * Real deploy targets for the fleet tests: examples/fleet/hosts.js in a child process, serving
 * one HTTP service per host on its own free loopback port. Hosts share nothing: each has its own
 * version, `previous`, deploy count and faults (broken: /healthz answers 503; stale: a deploy
 * answers "done" and changes nothing), read and set over its own port. The plans' commands are
 * the example's own deploy.js and version-of.js, so the tests also keep the example honest.
 */
export const HOSTS_JS = path.join(repoRoot, 'examples', 'fleet', 'hosts.js');
export const DEPLOY_JS = path.join(repoRoot, 'examples', 'fleet', 'deploy.js');
export const VERSION_OF_JS = path.join(repoRoot, 'examples', 'fleet', 'version-of.js');
/** What every host runs when started. */
export const START_VERSION = 'v1.0.0';

export interface FleetHost {
  name: string;
  port: number;
}

export interface HostState {
  name: string;
  version: string;
  previous: string | null;
  deploys: number;
  broken: boolean;
  stale: boolean;
}

export interface FleetHosts {
  /** The hosts process. */
  pid: number;
  hosts: FleetHost[];
  names: string[];
  /** The plan's `targets:` block: each host (or those named) with `host`, `port` and a `region` (a, b, a, b, …). */
  targetsYaml(only?: string[]): string;
  state(name: string): Promise<HostState>;
  /** Every host's version (or those named), by name. */
  versions(only?: string[]): Promise<Record<string, string>>;
  setFault(name: string, fault: 'broken' | 'stale', on?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** `h01`, `h02`, …: names that sort in plan order. */
export function hostNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `h${String(i + 1).padStart(2, '0')}`);
}

export async function startFleetHosts(names: string[], { broken = [] as string[], stale = [] as string[] } = {}): Promise<FleetHosts> {
  const args = [HOSTS_JS, '--hosts', names.join(','), '--version', START_VERSION];
  if (broken.length > 0) args.push('--break', broken.join(','));
  if (stale.length > 0) args.push('--stale', stale.join(','));
  // stdin is a pipe: if this test process dies, its end stops the hosts (hosts.js watches it).
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const hosts = await firstLine(child).then((line) => (JSON.parse(line) as { hosts: FleetHost[] }).hosts);
  const portOf = (name: string): number => {
    const host = hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no host "${name}"; hosts: ${names.join(', ')}`);
    return host.port;
  };
  const state = async (name: string): Promise<HostState> => {
    const response = await fetch(`http://127.0.0.1:${portOf(name)}/state`);
    return (await response.json()) as HostState;
  };
  return {
    pid: child.pid ?? 0,
    hosts,
    names,
    targetsYaml: (only = names) =>
      [
        'targets:',
        ...hosts
          .map((h, i) => ({ ...h, region: i % 2 === 0 ? 'a' : 'b' }))
          .filter((h) => only.includes(h.name))
          .map((h) => `  ${h.name}: { host: 127.0.0.1, port: ${h.port}, region: ${h.region} }`),
      ].join('\n'),
    state,
    versions: async (only = names) => Object.fromEntries(await Promise.all(only.map(async (name) => [name, (await state(name)).version] as const))),
    setFault: async (name, fault, on = true) => {
      const response = await fetch(`http://127.0.0.1:${portOf(name)}/admin?${fault}=${on ? 1 : 0}`, { method: 'POST' });
      if (!response.ok) throw new Error(`could not set ${fault} on ${name}: HTTP ${response.status}`);
    },
    close: () => stop(child),
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end !== -1) resolve(out.slice(0, end));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`hosts.js exited ${code} before listening: ${err.trim()}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface FleetWorkspace {
  /** A fresh temp directory for each test (the plan, its logs and state), removed after it. */
  dir: string;
  fleet: FleetHosts;
}

/** Per test: `count` fresh hosts, all on START_VERSION, and a temp dir; stopped and removed after. */
export function useFleet(count = 20): FleetWorkspace {
  const ws = {} as FleetWorkspace;
  beforeEach(async () => {
    ws.dir = await makeTempDir('rollout-fleet-');
    ws.fleet = await startFleetHosts(hostNames(count));
  });
  afterEach(async () => {
    await ws.fleet?.close();
    await removeTempDir(ws.dir);
  });
  return ws;
}
