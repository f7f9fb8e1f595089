#!/usr/bin/env node
/**
 * `npm run demo`: starts the bundled demo service, then runs the real CLI on
 * rollout.config.example.yml twice — a healthy version that goes all the way, then a broken one
 * that fails its canary and is rolled back — and says what happened. Every outcome is checked,
 * so the demo exits non-zero when rolloutctl does not behave as described.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SLICES, STABLE_VERSION, startDemoService } from './service.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'rollout.js');
const PLAN = 'rollout.config.example.yml';
const GOOD_VERSION = 'v2.4.0';
const BROKEN_VERSION = 'v2.5.0-broken';
const FLAKY_VERSION = 'v2.6.0-flaky';
/** Kept after the demo (its state is not): one HTML report per run. */
const REPORTS = [join(tmpdir(), 'rolloutctl-demo-reports', 'run-1-healthy.html'), join(tmpdir(), 'rolloutctl-demo-reports', 'run-2-broken.html')];
/** A run of the example plan takes seconds; anything near this means the CLI hung. */
const RUN_TIMEOUT_MS = 120_000;

class DemoFailure extends Error {}

const color = useColor();
const bold = (text) => (color ? `\x1b[1m${text}\x1b[22m` : text);
const dim = (text) => (color ? `\x1b[2m${text}\x1b[22m` : text);
const green = (text) => (color ? `\x1b[32m${text}\x1b[39m` : text);
const red = (text) => (color ? `\x1b[31m${text}\x1b[39m` : text);

let interrupted = false;
let currentChild = null;

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
    throw new DemoFailure('the CLI is not built (dist/cli.js is missing); run `npm run demo`, which builds first');
  }

  const service = await startDemoService();
  const tempDir = await mkdtemp(join(tmpdir(), 'rolloutctl-demo-'));
  const statePath = join(tempDir, 'state.json');
  try {
    await tour(service, statePath);
  } finally {
    await service.close();
    await rm(tempDir, { recursive: true, force: true });
  }
}

async function tour(service, statePath) {
  heading('rolloutctl demo');
  say(
    `A pretend "checkout-api" fleet is running at ${service.url}. It is split into three slices`,
    'that the example plan rolls out one after another: canary (5% of traffic), half (45%, so 50%',
    'in total) and full (the other 50%). Each slice serves one version; all start on the stable',
    `${STABLE_VERSION}. A slice's health check answers 200, or 500 when its version is broken.`,
  );
  showFleet(service.snapshot());

  // Run 1 ------------------------------------------------------------------------------------
  heading(`Run 1: roll out ${GOOD_VERSION}, a healthy version`);
  say(
    `rolloutctl deploys ${GOOD_VERSION} to each stage in turn and watches its health checks for the`,
    'soak time before moving on (seconds here; minutes in a real plan).',
  );
  const firstBefore = service.snapshot();
  rmSync(REPORTS[0], { force: true });
  const first = await runCli(['run', ...planArgs(service, statePath, GOOD_VERSION), '--report', REPORTS[0]]);

  heading('What happened');
  expect(first === 0, `the healthy rollout should exit 0, but rollout run exited ${describeExit(first)}`);
  const firstState = await readState(statePath);
  expect(
    SLICES.every(({ name }) => service.snapshot().slices[name].version === GOOD_VERSION),
    `every slice should run ${GOOD_VERSION} after the healthy rollout`,
  );
  expect(firstState?.status === 'succeeded', `the state file should say "succeeded", not ${quote(firstState?.status)}`);
  say(
    `${green('Exit code 0.')} Every stage deployed, passed its soak and handed over to the next, so`,
    `the whole fleet now runs ${GOOD_VERSION}. The state file records the run as "${firstState.status}".`,
  );
  showFleet(service.snapshot(), firstBefore);
  expect(existsSync(REPORTS[0]), `rollout run --report should have written ${REPORTS[0]}`);
  say(`The run's report (timeline, check charts, commands), to open in a browser:\n  ${REPORTS[0]}`);

  // Run 2 ------------------------------------------------------------------------------------
  heading(`Run 2: roll out ${BROKEN_VERSION}, a broken version`);
  say(
    `Same plan, now with --var version=${BROKEN_VERSION}. Its health checks answer HTTP 500, so the`,
    'canary should fail after two bad polls in a row and be rolled back, and half and full should',
    'never be touched.',
  );
  const secondBefore = service.snapshot();
  rmSync(REPORTS[1], { force: true });
  const second = await runCli(['run', ...planArgs(service, statePath, BROKEN_VERSION), '--report', REPORTS[1]]);

  heading('What happened');
  expect(second === 1, `the broken rollout should exit 1 (failed, rolled back), but it exited ${describeExit(second)}`);
  const secondState = await readState(statePath);
  const changed = SLICES.filter(({ name }) => service.snapshot().slices[name].version !== secondBefore.slices[name].version);
  expect(changed.length === 0, `every slice should be back on the version it ran before run 2, but ${changed.map((s) => s.name).join(', ')} is not`);
  expect(secondState?.status === 'rolled_back', `the state file should say "rolled_back", not ${quote(secondState?.status)}`);
  const touched = ['half', 'full'].filter((name) => service.snapshot().slices[name].deploys !== secondBefore.slices[name].deploys);
  expect(touched.length === 0, `only the canary should have been deployed in run 2, but ${touched.join(' and ')} was too`);
  const reason = secondState.failure?.reason;
  say(
    `${red('Exit code 1.')} The canary went unhealthy, so rolloutctl stopped the rollout at once instead`,
    "of waiting out the soak, ran the canary's rollback and never deployed half or full: 95% of",
    `traffic never saw ${BROKEN_VERSION}. Every slice is back where it was before this run, and the`,
    `state file records the run as "${secondState.status}"${reason ? ', with the reason:' : '.'}`,
    ...(reason ? [`  ${reason}`] : []),
  );
  showFleet(service.snapshot(), secondBefore);
  expect(existsSync(REPORTS[1]), `rollout run --report should have written ${REPORTS[1]}`);
  say(`Its report shows the canary's failing checks against the soak and the rollback:\n  ${REPORTS[1]}`);

  // Run 3 ------------------------------------------------------------------------------------
  heading(`Run 3: roll out ${FLAKY_VERSION}, which fails 3% of its requests`);
  say(
    `${FLAKY_VERSION} answers its health URL with 200, so no status check can see it. But 3% of`,
    "its requests fail, and the canary's `canary-errors` check reads the slice's error rate from",
    '/stats/canary with the condition `pass: result.body.errorRate < 0.01`.',
  );
  const thirdBefore = service.snapshot();
  const third = await runCli(['run', ...planArgs(service, statePath, FLAKY_VERSION)]);

  heading('What happened');
  expect(third === 1, `the flaky rollout should exit 1 (failed, rolled back), but it exited ${describeExit(third)}`);
  const thirdState = await readState(statePath);
  expect(thirdState?.status === 'rolled_back', `the state file should say "rolled_back", not ${quote(thirdState?.status)}`);
  expect(/canary-errors/.test(thirdState.failure?.reason ?? ''), `the failure should name canary-errors, not ${quote(thirdState.failure?.reason)}`);
  const thirdChanged = SLICES.filter(({ name }) => service.snapshot().slices[name].version !== thirdBefore.slices[name].version);
  expect(thirdChanged.length === 0, `every slice should be back on its version, but ${thirdChanged.map((s) => s.name).join(', ')} is not`);
  say(
    `${red('Exit code 1.')} The health URL kept answering 200, but the measured error rate (about 0.03)`,
    'failed its condition twice in a row: the canary was rolled back, half and full never touched.',
    ...(thirdState.failure?.reason ? [`  ${thirdState.failure.reason}`] : []),
  );
  showFleet(service.snapshot(), thirdBefore);

  // Status -----------------------------------------------------------------------------------
  heading('rollout status: the last run, read back from the state file');
  const status = await runCli(['status', '--state', statePath]);
  // A usage error (2) or worse means the command itself broke; 0 or 1 may both describe a run.
  expect(status === 0 || status === 1, `rollout status exited ${describeExit(status)}`);

  heading('Done');
  say(
    `${green('Both runs ended as expected.')} To try things by hand, start the service on its own with`,
    '`node examples/demo/service.js` and run the plan against the port it prints:',
    `  node bin/rollout.js run --config ${PLAN} --var port=<port> --var version=v2.6.0-broken`,
  );
}

function planArgs(service, statePath, version) {
  return ['--config', PLAN, '--state', statePath, '--var', `port=${service.port}`, '--var', `version=${version}`];
}

/** Run the real CLI with the terminal attached; resolves with its exit code (or the signal). */
function runCli(args) {
  if (interrupted) throw new DemoFailure('interrupted');
  console.log(dim(`$ rollout ${args.map(shellQuote).join(' ')}`));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: 'inherit' });
    currentChild = child;
    const timer = setTimeout(() => {
      reject(new DemoFailure(`rollout ${args[0]} was still running after ${RUN_TIMEOUT_MS / 1000}s; stopped it`));
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new DemoFailure(`could not start the CLI: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      currentChild = null;
      console.log();
      if (interrupted) reject(new DemoFailure('interrupted'));
      else resolve(code ?? signal);
    });
  });
}

async function readState(path) {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new DemoFailure(`could not read the state file ${path}: ${error.message}`);
  }
}

function showFleet(snapshot, before) {
  const rows = SLICES.map(({ name }) => {
    const { version, traffic } = snapshot.slices[name];
    const was = before?.slices[name].version;
    const note = was === undefined ? '' : was === version ? dim('same as before the run') : dim(`was ${was}`);
    return `  ${name.padEnd(8)}${`${traffic}%`.padStart(7)}   ${version.padEnd(16)}${note}`.trimEnd();
  });
  console.log(['', bold(`  ${'slice'.padEnd(8)}${'traffic'.padStart(7)}   version`), ...rows, ''].join('\n'));
}

function heading(title) {
  console.log(`\n${bold(`== ${title} ${'='.repeat(Math.max(3, 72 - title.length))}`)}\n`);
}

function say(...lines) {
  console.log(lines.join('\n'));
}

function expect(condition, message) {
  if (!condition) throw new DemoFailure(message);
}

function describeExit(codeOrSignal) {
  return typeof codeOrSignal === 'string' ? `on signal ${codeOrSignal}` : `with code ${codeOrSignal}`;
}

function quote(value) {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

function useColor() {
  if ('NO_COLOR' in process.env) return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return Boolean(process.stdout.isTTY);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    // From a terminal the CLI got the signal too; from `kill` it did not, so pass it on.
    currentChild?.kill(signal);
  });
}

main().catch((error) => {
  if (interrupted) {
    console.error(red('\ndemo interrupted'));
    process.exitCode = 130;
    return;
  }
  console.error(red(`\ndemo failed: ${error instanceof DemoFailure ? error.message : error.stack}`));
  process.exitCode = 1;
});
