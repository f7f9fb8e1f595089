import type { Context } from './context.js';
import { ExitCode } from './errors.js';
import { watchParentUnderNpm } from './exec/parent-watch.js';
import { killActiveCommands } from './exec/process-groups.js';
import { checked, parseLimit, parsePausedExitCode, parseWaitLock } from './option-values.js';
import { survivePipeClose } from './output/closed-pipe.js';
import { issuesUrl, version } from './version.js';

/**
 * The only place that turns outcomes into exit codes. Commands, and the context with its colour
 * and terminal detection, are loaded only when a command runs, so `--help` and `--version` start
 * almost as fast as Node itself.
 */
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${version}\n`);
  process.exit(0);
}

survivePipeClose(process.stdout);
survivePipeClose(process.stderr);
// An error nothing caught is a bug: reported like any other (one paragraph, exit 70), never a
// stack trace and exit 1 (which means "a stage failed").
process.on('uncaughtException', (error) => void crash(error));
process.on('unhandledRejection', (error) => void crash(error));

const { Command, CommanderError, Option } = await import('commander');
const interrupt = new AbortController();
const hardInterrupt = new AbortController();
let context: Context | undefined;
const loadContext = async (): Promise<Context> => {
  context ??= (await import('./context.js')).processContext(interrupt.signal, hardInterrupt.signal);
  return context;
};

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const configOption = () =>
  new Option('-c, --config <file>', 'plan file (default: rollout.config.yml, .rolloutrc… or package.json "rollout" in the current directory)');
// Number and duration values are checked as the command line is parsed, before anything runs (see option-values.ts).
const waitLockOption = () =>
  new Option('--wait-lock <duration>', 'if another run holds the state file, wait for it this long (e.g. 10m) instead of exiting 4').argParser(
    checked(parseWaitLock),
  );
const pausedExitCodeOption = (description: string) => new Option('--paused-exit-code <n>', description).argParser(checked(parsePausedExitCode));
const jsonOption = () => new Option('--json', 'newline-delimited JSON events on stdout (command output goes to stderr)').conflicts(['quiet', 'verbose']);
const quietOption = () => new Option('-q, --quiet', 'print only failures and the final result').conflicts('verbose');
const verboseOption = () => new Option('-v, --verbose', 'print every health poll, healthy ones too');
const stateOption = () =>
  new Option(
    '-s, --state <file|url>',
    "state file, or postgres://… for shared state (default: $ROLLOUT_STATE, the plan's `state:`, else .rollout/state.json beside the plan)",
  );
const keyOption = () => new Option('--key <name>', "the record's key in a shared state store (default: the plan's `key:`, else its name)");

const program = new Command('rollout')
  .description('Phased rollouts for any CI pipeline: deploy stage by stage, soak on health checks, roll back on failure.')
  .version(version, '-V, --version', 'print the version')
  .helpOption('-h, --help', 'show help')
  .showSuggestionAfterError()
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) })
  .addHelpText(
    'after',
    `
Exit codes: 0 succeeded · 1 a stage failed (rolled back or stopped) · 2 bad input, nothing ran
            3 a rollback failed, or the state could not be recorded: a human must look
            4 locked by another run · 5 lost the lock (lease) mid-run: stopped
            6 a deploy window blocks the next stage (resume later) · 7 paused at a gate
            130/143 interrupted
            70 an internal error (a bug in rollout)

Examples:
  $ rollout init
  $ rollout validate
  $ rollout plan
  $ rollout run --var image_tag=v2.4.1
  $ rollout status`,
  );

program
  .command('run')
  .description('deploy every stage in order, soaking each on its health checks; roll back on failure')
  .addOption(configOption())
  .addOption(stateOption())
  .addOption(keyOption())
  .option('--var <name=value>', 'override a plan var (repeatable); reaches commands as ROLLOUT_VAR_<NAME>', collect)
  .addOption(waitLockOption())
  .option('--dry-run', "print what would run, in order, with each command's ROLLOUT_* environment; runs and writes nothing")
  .option('--report <file>', 'write the run report (one self-contained HTML page) here when the run ends, however it ends')
  .option('--override-window', 'start stages even when a deploy window blocks them (needs --reason; recorded)')
  .option('--reason <text>', 'why the deploy window is overridden (recorded in the state, events and summary)')
  .addOption(pausedExitCodeOption('exit code when the run stops at a gate (default 7; 0 counts a pause as success)'))
  .addOption(jsonOption())
  .addOption(quietOption())
  .addOption(verboseOption())
  .addHelpText(
    'after',
    '\nExamples:\n  $ rollout run\n  $ rollout run --config deploy/prod.yml --var image_tag=v2.4.1 --var region=eu-west-1\n  $ rollout run --dry-run\n  $ rollout run --json | jq -c \'select(.type == "stage.failed")\'',
  )
  .action(async (options) => {
    const { run } = await import('./commands/run.js');
    process.exitCode = await run(options, await loadContext());
  });

program
  .command('validate')
  .description('check the plan file and print a one-line summary; runs nothing')
  .addOption(configOption())
  .option('--var <name=value>', 'check the plan with this var as a run would get it (repeatable)', collect)
  .addHelpText('after', '\nExamples:\n  $ rollout validate\n  $ rollout validate --config deploy/prod.yml')
  .action(async (options) => {
    const { validate } = await import('./commands/validate.js');
    process.exitCode = await validate(options, await loadContext());
  });

program
  .command('plan')
  .description('print the plan as it will run (every default applied) and its timeline; runs nothing')
  .addOption(configOption())
  .option('--var <name=value>', 'show the plan with this var as a run would get it (repeatable)', collect)
  .option('--json', 'print it as JSON')
  .addHelpText('after', '\nExamples:\n  $ rollout plan\n  $ rollout plan --config deploy/prod.yml --json | jq .timeline')
  .action(async (options) => {
    const { plan } = await import('./commands/plan.js');
    process.exitCode = await plan(options, await loadContext());
  });

program
  .command('init')
  .description('write a commented starter plan (rollout.config.yml)')
  .addOption(new Option('-c, --config <file>', 'where to write it').default('rollout.config.yml'))
  .option('-f, --force', 'overwrite an existing file')
  .addHelpText(
    'after',
    "\nCheck kinds (a check's type:): http (the default), command, and the metric sources prometheus, graphite,\n" +
      "influxdb, datadog, cloudwatch; see docs/checks.md. The plan names schema.json, so editors complete each kind's keys.\n" +
      '\nExamples:\n  $ rollout init\n  $ rollout init --config deploy/staging.yml --force',
  )
  .action(async (options) => {
    const { init } = await import('./commands/init.js');
    process.exitCode = await init(options, await loadContext());
  });

program
  .command('status')
  .description("show the last run's stages, timings and health, and what to do next")
  .addOption(configOption())
  .addOption(stateOption())
  .addOption(keyOption())
  .option('--json', 'print the state document as JSON')
  .option('--run <id>', 'show a past run (see `rollout history`)')
  .addHelpText('after', '\nExamples:\n  $ rollout status\n  $ rollout status --json | jq .status\n  $ rollout status --run 20261124T230344Z-3f9a2c')
  .action(async (options) => {
    const { status } = await import('./commands/status.js');
    process.exitCode = await status(options, await loadContext());
  });

program
  .command('report')
  .description('write a recorded run as one self-contained HTML page: timeline, check charts, commands')
  .addOption(configOption())
  .addOption(stateOption())
  .option('--run <id>', "the run to show (default: the state file's run)")
  .option('-o, --out <file>', 'where to write it (default: report-<run id>.html beside the state file)')
  .addHelpText('after', '\nExamples:\n  $ rollout report\n  $ rollout report --out rollout-report.html\n  $ rollout report --run 20261124T230344Z-3f9a2c')
  .action(async (options) => {
    const { report } = await import('./commands/report.js');
    process.exitCode = await report(options, await loadContext());
  });

program
  .command('resume')
  .description('continue a run that was interrupted or whose process died; stages that passed are not redone')
  .addOption(configOption())
  .addOption(stateOption())
  .addOption(keyOption())
  .option('--allow-plan-change', 'resume even though the plan file changed since the run started')
  .option('--retry-failed', 'deploy again only the targets that failed (stages with targets), then go on')
  .addOption(waitLockOption())
  .option('--override-window', 'start stages even when a deploy window blocks them (needs --reason; recorded)')
  .option('--reason <text>', 'why the deploy window is overridden (recorded in the state, events and summary)')
  .addOption(pausedExitCodeOption('exit code when the run stops at a gate (default 7; 0 counts a pause as success)'))
  .addOption(jsonOption())
  .addOption(quietOption())
  .addOption(verboseOption())
  .addHelpText('after', '\nExamples:\n  $ rollout resume\n  $ rollout resume --retry-failed\n  $ rollout resume --state .rollout/prod.json --allow-plan-change')
  .action(async (options) => {
    const { resume } = await import('./commands/resume.js');
    process.exitCode = await resume(options, await loadContext());
  });

program
  .command('rollback')
  .description('roll back what the last run deployed, newest stage first')
  .addOption(configOption())
  .addOption(stateOption())
  .addOption(keyOption())
  .addOption(waitLockOption())
  .addOption(jsonOption())
  .addOption(quietOption())
  .addOption(verboseOption())
  .addHelpText('after', '\nExamples:\n  $ rollout rollback\n  $ rollout rollback --state .rollout/prod.json')
  .action(async (options) => {
    const { rollback } = await import('./commands/rollback.js');
    process.exitCode = await rollback(options, await loadContext());
  });

for (const decision of ['promote', 'abort'] as const) {
  const command = program.command(decision);
  // A gate that a deploy window opened (onBlocked: pause) is promoted only inside the window, or on the record.
  if (decision === 'promote') command.option('--override-window', 'start the next stage even though its deploy window is closed (needs --reason; recorded)');
  command
    .description(
      decision === 'promote'
        ? 'continue a run paused at a gate from its next stage; records who decided and why'
        : 'roll back what a run paused at a gate deployed, newest first; records who decided and why',
    )
    .addOption(configOption())
    .addOption(stateOption())
    .addOption(keyOption())
    .option('--gate <id>', 'the gate to decide (refused if the run waits at another one)')
    .option('--reason <text>', 'why (recorded in the state, the events, the summary and webhooks)')
    .addOption(waitLockOption())
    .addOption(pausedExitCodeOption('exit code when the run stops at a later gate (default 7)'))
    .addOption(jsonOption())
    .addOption(quietOption())
    .addOption(verboseOption())
    .addHelpText('after', `\nExamples:\n  $ rollout ${decision} --gate canary-3f9a2c --reason "error rate flat for 30m"`)
    .action(async (options) => {
      const { decide } = await import('./commands/decide.js');
      process.exitCode = await decide(decision, options, await loadContext());
    });
}

program
  .command('unlock')
  .description("remove the state file's lock, only if it belongs to the given run (for a holder on another host that is gone)")
  .requiredOption('--run-id <id>', 'the run id the lock must belong to (rollout names it when it refuses to run)')
  .addOption(configOption())
  .addOption(stateOption())
  .addOption(keyOption())
  .addHelpText('after', '\nExamples:\n  $ rollout unlock --run-id 20261124T230344Z-3f9a2c')
  .action(async (options) => {
    const { unlock } = await import('./commands/unlock.js');
    process.exitCode = await unlock(options, await loadContext());
  });

program
  .command('history')
  .description('list the runs kept for this state, newest first: id, status, times, failed stage, who')
  .addOption(configOption())
  .addOption(stateOption())
  .addOption(keyOption())
  .addOption(new Option('--limit <n>', 'at most this many runs (default 20)').argParser(checked(parseLimit)))
  .option('--json', 'print them as JSON')
  .addHelpText('after', '\nExamples:\n  $ rollout history --limit 5\n  $ rollout history --state "postgres://ci@db/rollouts" --key web --json')
  .action(async (options) => {
    const { history } = await import('./commands/history.js');
    process.exitCode = await history(options, await loadContext());
  });

const stateCommand = program.command('state').description('move state documents between stores: pull, push, migrate');
stateCommand
  .command('pull')
  .description('print the current state document (or --run ID), or save it with --out FILE')
  .addOption(configOption())
  .addOption(stateOption())
  .addOption(keyOption())
  .option('--run <id>', 'a past run instead of the current one')
  .option('-o, --out <file>', 'save it to this file instead of printing it')
  .action(async (options) => {
    const { statePull } = await import('./commands/state.js');
    process.exitCode = await statePull(options, await loadContext());
  });
stateCommand
  .command('push')
  .description('make a saved document the current record (compare-and-swap; refuses another run or an older serial unless --force)')
  .argument('<file>', 'the document, e.g. the rollout-state.<run>.errored.json a run saved when the store was unreachable')
  .addOption(configOption())
  .addOption(stateOption())
  .addOption(keyOption())
  .option('--force', 'push even though the stored record is another run or newer')
  .option('--reason <text>', 'why --force is right (required with it)')
  .action(async (file, options) => {
    const { statePush } = await import('./commands/state.js');
    process.exitCode = await statePush(file, options, await loadContext());
  });
stateCommand
  .command('migrate')
  .description('copy this state, history included, into another store (e.g. the local file into PostgreSQL)')
  .requiredOption('--to <url>', 'the target store, e.g. postgres://user@db/rollouts')
  .addOption(configOption())
  .addOption(stateOption())
  .addOption(keyOption())
  .option('--force', 'add to a target that already holds a record for the key')
  .action(async (options) => {
    const { stateMigrate } = await import('./commands/state.js');
    process.exitCode = await stateMigrate(options, await loadContext());
  });

// 1st SIGINT/SIGTERM: stop gracefully (SIGTERM to the running command's group, SIGKILL after the
// grace), record `interrupted`, release the lock. 2nd: SIGKILL the commands now, still recording
// state. 3rd: exit at once.
let signals = 0;
/** How long a finished command may wait for the event loop to drain before it exits anyway. */
const LINGER_MS = 2_000;
function onSignal(name: 'SIGINT' | 'SIGTERM', why = `${name} received`): void {
  signals++;
  if (signals === 1) {
    process.stderr.write(`\nrollout: ${why}; stopping gracefully (send again to kill running commands now)\n`);
    interrupt.abort(name);
  } else if (signals === 2) {
    process.stderr.write(`rollout: ${name} received again; killing the running command\n`);
    hardInterrupt.abort(name);
    killActiveCommands();
  } else {
    process.exit(interrupt.signal.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
  }
}
for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, () => onSignal(name));
// Started by npm's shim, whose shell may swallow the cancel: its death is the cancel (see parent-watch.ts).
watchParentUnderNpm(process.env, () =>
  onSignal('SIGTERM', 'the npm process that started rollout was stopped (its shell exited without passing the signal on); taken as SIGTERM'),
);
process.on('exit', killActiveCommands);

try {
  if (process.argv.length <= 2) {
    program.outputHelp();
    process.exitCode = ExitCode.badInput;
  } else {
    await program.parseAsync(process.argv);
  }
} catch (error) {
  process.exitCode = await report(error);
}
// The command has finished and recorded everything. Whatever handle still lingers (a keep-alive
// socket, a leaked timer) must not hold a CI job open: exit if the event loop has not emptied soon.
setTimeout(() => process.exit(), LINGER_MS).unref();

/** After an uncaught error nothing can be trusted to finish: report it, stop our commands, exit. */
async function crash(error: unknown): Promise<never> {
  const code = await report(error).catch((failure: unknown) => {
    // Reporting itself failed (its module could not load, say): still one line, never silence.
    const text = (e: unknown) => (e instanceof Error ? e.message : String(e));
    process.stderr.write(`error: ${text(error)} (and reporting it failed: ${text(failure)}; an internal error in rollout, please report it at ${issuesUrl})\n`);
    return ExitCode.internal;
  });
  process.exit(code);
}

async function report(error: unknown): Promise<number> {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  const { reportError } = await import('./report-error.js');
  return reportError(error, await loadContext());
}
