import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { DEPLOY_JS, hostNames, START_VERSION, startFleetHosts, useFleet, VERSION_OF_JS } from '../helpers/fleet-hosts.js';
import { isProcessAlive } from '../helpers/processes.js';

/**
 * The fleet tests' targets themselves (examples/fleet/hosts.js and its deploy and verify
 * scripts): if a host could not be broken on its own, or reported another host's version, the
 * fleet tests would prove nothing.
 */
describe('the fleet test hosts', { timeout: 60_000 }, () => {
  const ws = useFleet(20);
  const address = (name: string) => `127.0.0.1:${ws.fleet.hosts.find((h) => h.name === name)?.port}`;
  const node = (script: string, args: string[], env: Record<string, string> = {}) =>
    execa(process.execPath, [script, ...args], { reject: false, all: true, env: { ...env, NO_COLOR: '1' } });

  it('are 20 services on 20 ports, each with its own version, faults and undo', async () => {
    expect(new Set(ws.fleet.hosts.map((h) => h.port)).size).toBe(20);
    expect(Object.values(await ws.fleet.versions())).toEqual(Array(20).fill(START_VERSION));

    const deploy = await node(DEPLOY_JS, [address('h07'), 'v2.0.0']);
    expect(deploy.exitCode, deploy.all).toBe(0);
    expect(deploy.stdout).toBe('h07: deployed v1.0.0 -> v2.0.0');
    const versions = await ws.fleet.versions();
    expect(Object.entries(versions).filter(([, version]) => version !== START_VERSION)).toEqual([['h07', 'v2.0.0']]);

    // Deploying what runs changes nothing and keeps what `previous` restores; undo works once.
    expect((await node(DEPLOY_JS, [address('h07'), 'v2.0.0'])).stdout).toBe('h07: already runs v2.0.0; nothing to change');
    expect((await node(DEPLOY_JS, [address('h07'), 'previous'], { ROLLOUT_PHASE: 'rollback' })).stdout).toBe('h07: rolled back v2.0.0 -> v1.0.0');
    expect((await node(DEPLOY_JS, [address('h07'), 'previous'])).stdout).toBe('h07: already runs v1.0.0; nothing to change');
    expect(await ws.fleet.state('h07')).toMatchObject({ version: START_VERSION, previous: null, deploys: 2 });

    await ws.fleet.setFault('h03', 'broken');
    const health = await Promise.all(ws.fleet.hosts.map(async (h) => [h.name, (await fetch(`http://127.0.0.1:${h.port}/healthz`)).status] as const));
    expect(health.filter(([, status]) => status !== 200)).toEqual([['h03', 503]]);
  });

  it('verify: version-of.js prints what a host serves, and exits 1 when it is not the expected version (a stale host)', async () => {
    await ws.fleet.setFault('h02', 'stale');
    for (const name of ['h01', 'h02']) expect((await node(DEPLOY_JS, [address(name), 'v2.0.0'])).exitCode).toBe(0);
    const fresh = await node(VERSION_OF_JS, [address('h01'), 'v2.0.0']);
    expect([fresh.exitCode, fresh.stdout]).toEqual([0, 'v2.0.0']);
    const stale = await node(VERSION_OF_JS, [address('h02'), 'v2.0.0']);
    expect([stale.exitCode, stale.stdout]).toEqual([1, START_VERSION]);
    expect(stale.stderr).toContain('runs v1.0.0, not v2.0.0');
    const printOnly = await node(VERSION_OF_JS, [address('h02')]);
    expect([printOnly.exitCode, printOnly.stdout]).toEqual([0, START_VERSION]);
  });

  it('deploy.js fails with a reason, not a stack, when a host is unreachable or the call is wrong', async () => {
    await ws.fleet.close();
    const down = await node(DEPLOY_JS, [address('h01'), 'v2.0.0']);
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/^deploy\.js: cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED$/);
    const usage = await node(DEPLOY_JS, []);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toContain('usage: node deploy.js <host:port> <version | previous>');
  });
});

describe('startFleetHosts', () => {
  it('stops its hosts process on close, and the hosts with it', async () => {
    const fleet = await startFleetHosts(hostNames(3), { broken: ['h02'] });
    expect((await fetch(`http://127.0.0.1:${fleet.hosts[1]?.port}/healthz`)).status).toBe(503);
    const pid = fleet.pid;
    await fleet.close();
    expect(isProcessAlive(pid)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${fleet.hosts[0]?.port}/healthz`)).rejects.toThrow();
  });
});
