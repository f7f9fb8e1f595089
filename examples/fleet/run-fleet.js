#!/usr/bin/env node
/**
 * `node examples/fleet/run-fleet.js`: starts eight pretend hosts (hosts.js) on the ports
 * rollout.config.yml names, then runs the real CLI on that plan three times — every host healthy;
 * one host broken (rolled back on its own, within the budget); two hosts broken (the budget is
 * exceeded, every host this run changed is undone) — and checks each outcome on the hosts
 * themselves, so it exits non-zero when rolloutctl does not behave as described.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planHosts, START_VERSION, startHosts } from './hosts.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'rollout.js');
const PLAN = join('examples', 'fleet', 'rollout.config.yml');
/** A run of the example takes seconds; anything near this means the CLI hung. */
const RUN_TIMEOUT_MS = 120_000;

class TourFailure extends Error {}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new TourFailure('the CLI is not built (dist/cli.js is missing): run `npm run build` first');
  const fleet = await startHosts(planHosts()).catch((error) => {
    throw new TourFailure(`${error.message}: stop whatever holds it, or change the ports in ${PLAN}`);
  });
  const dir = await mkdtemp(join(tmpdir(), 'rolloutctl-fleet-'));
  try {
    await tour(fleet, join(dir, 'state.json'));
  } finally {
    await fleet.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function tour(fleet, statePath) {
  const names = fleet.hosts.map((host) => host.name);
  const run = (version) => runCli(['run', '--config', PLAN, '--state', statePath, '--var', `version=${version}`]);
  const versions = () => Object.fromEntries(Object.entries(fleet.snapshot()).map(([name, host]) => [name, host.version]));
  say(`Eight hosts run ${START_VERSION}: ${fleet.hosts.map(({ name, port }) => `${name} (:${port})`).join(', ')}.`);

  heading('Run 1: v2.0.0, every host healthy');
  const first = await run('v2.0.0');
  expect(first === 0, `run 1 should exit 0, not ${first}`);
  expectVersions(versions(), Object.fromEntries(names.map((name) => [name, 'v2.0.0'])));
  expect((await readState(statePath)).status === 'succeeded', 'run 1 should be recorded as succeeded');
  say('Exit 0: eu-1 alone first, then the other seven in batches of 1, 2, 2 and 2; every host verified on v2.0.0.');

  heading('Run 2: v2.1.0, with us-2 broken (its /healthz answers 503)');
  await setFault(fleet, 'us-2', 'broken', true);
  const second = await run('v2.1.0');
  expect(second === 0, `run 2 should exit 0 (one failed host is within the budget, total: 1), not ${second}`);
  expectVersions(versions(), { ...Object.fromEntries(names.map((name) => [name, 'v2.1.0'])), 'us-2': 'v2.0.0' });
  const us2 = (await readState(statePath)).stages.find((stage) => stage.name === 'everyone')?.targets?.find((target) => target.name === 'us-2');
  expect(us2?.status === 'rolled_back', `us-2 should be recorded as rolled_back, not ${us2?.status}`);
  say(
    'Exit 0: us-2 failed its checks and was rolled back on its own to v2.0.0; one failure is what',
    'the stage tolerates, so the other seven went on to v2.1.0.',
  );

  heading('Run 3: v2.2.0, with us-3 and us-4 broken');
  await setFault(fleet, 'us-2', 'broken', false);
  await setFault(fleet, 'us-3', 'broken', true);
  await setFault(fleet, 'us-4', 'broken', true);
  const before = versions();
  const third = await run('v2.2.0');
  expect(third === 1, `run 3 should exit 1 (the second failed host exceeds the budget), not ${third}`);
  expectVersions(versions(), before);
  say(
    'Exit 1: the second failure exceeded the budget, and onBudgetExceeded: rollback-all undid every',
    'host this run had changed, newest first: the fleet is back where run 3 found it.',
  );

  heading('rollout status');
  const status = await runCli(['status', '--state', statePath]);
  expect(status === 0 || status === 1, `rollout status exited ${status}`);
  heading('Done: every run ended as expected');
}

async function setFault(fleet, name, fault, on) {
  const { port } = fleet.hosts.find((host) => host.name === name);
  const response = await fetch(`http://127.0.0.1:${port}/admin?${fault}=${on ? 1 : 0}`, { method: 'POST' });
  expect(response.ok, `could not set ${fault} on ${name}: HTTP ${response.status}`);
}

function expectVersions(actual, wanted) {
  const wrong = Object.keys(wanted).filter((name) => actual[name] !== wanted[name]);
  expect(wrong.length === 0, `hosts on the wrong version: ${wrong.map((name) => `${name} runs ${actual[name]}, not ${wanted[name]}`).join('; ')}`);
  say(
    `hosts: ${Object.entries(actual)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
  );
}

/** The real CLI with the terminal attached; resolves with its exit code (or the signal). */
function runCli(args) {
  console.log(`$ rollout ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: 'inherit' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new TourFailure(`rollout ${args[0]} was still running after ${RUN_TIMEOUT_MS / 1000}s; stopped it`));
    }, RUN_TIMEOUT_MS);
    child.once('error', (error) => reject(new TourFailure(`could not start the CLI: ${error.message}`)));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
  });
}

async function readState(path) {
  return JSON.parse(await readFile(path, 'utf8'));
}

function expect(condition, message) {
  if (!condition) throw new TourFailure(message);
}

function heading(text) {
  console.log(`\n== ${text}\n`);
}

function say(...lines) {
  console.log(lines.join('\n'));
}

// Ctrl-C reaches the CLI too: let it stop and roll back against hosts that are still up.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => console.error(`\n${signal}: waiting for rollout to stop`));

main().catch((error) => {
  console.error(`\nfleet example failed: ${error instanceof TourFailure ? error.message : error.stack}`);
  process.exitCode = 1;
});
