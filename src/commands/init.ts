import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { displayPath } from '../plan/load.js';

export interface InitOptions {
  config?: string;
  force?: boolean;
}

export const STARTER_PLAN = `# yaml-language-server: $schema=./node_modules/rolloutctl/schema.json
# A rolloutctl plan: stages are deployed in order; each is watched ("soaked") on its health
# checks; the first failure rolls back what was deployed, newest first.
# Check it with \`rollout validate\`, preview it with \`rollout plan\` or \`rollout run --dry-run\`.
version: 1
name: my-service

# Commands get each var as ROLLOUT_VAR_<NAME>; override with --var image_tag=v2.
vars:
  image_tag: latest

defaults:
  soak: 1m              # how long each stage is watched after its deploy
  timeout: 10m          # limit for one deploy or rollback command
  health:
    interval: 5s        # time between measurements of a check
    timeout: 2s         # deadline for one measurement
    failureThreshold: 3 # failed measurements in a row that fail the stage
  # checks: [smoke]     # named checks every stage runs

onFailure: rollback     # or: stop (leave everything as it is)
onInconclusive: fail    # a check with too little evidence (no data, too few samples) fails the stage; or: pass

# Named checks, defined once and listed by stages. Kinds: http (the default with a url),
# command (exit 0 pass, 1 fail; a number or JSON on its last line is \`result\`).
# Conditions are CEL over \`result\`; see docs/checks.md for every key.
checks:
  smoke:
    type: command
    run: ./smoke-test.sh "\${stage.name}"   # values reach the shell as quoted environment variables
    timeout: 30s
  # error-rate:
  #   type: command
  #   run: ./error-rate.sh           # prints e.g. 0.004
  #   pass: result < 0.01
  #   fail: result >= 0.02           # in between: inconclusive
  #   minSamples: 3
  #   dryRun: true                   # measured and shown, never decides: try a new check safely

stages:
  - name: canary
    # Runs with /bin/sh in this file's directory. Quote variables.
    deploy: echo "deploying $ROLLOUT_VAR_IMAGE_TAG to 5% ($ROLLOUT_STAGE)"
    rollback: echo "routing canary traffic back to the stable version"
    soak: 2m
    # checks: [smoke]             # or {use: smoke, with: {weight: 5}} → \${args.weight}
    health:
      - url: http://localhost:8080/healthz
        # expectStatus: 200        # default: any 2xx
        # bodyMatches: '"status":\\s*"ok"'
        # maxLatency: 300ms
        # pass: result.body.ready == true && result.latencyMs < 300
        # headers:
        #   Authorization: Bearer \${env.HEALTH_TOKEN}

  - name: everyone
    deploy: echo "deploying $ROLLOUT_VAR_IMAGE_TAG to 100%"
    rollback: echo "rolling everyone back"
    health:
      - url: http://localhost:8080/healthz

# Tell a Slack or Teams channel (incoming webhook) how it goes:
# notify:
#   - url: \${env.SLACK_WEBHOOK_URL}
#     events: [stage.failed, run.finished]
`;

/** `rollout init`: writes a commented starter plan; never overwrites one without --force. */
export async function init(options: InitOptions, ctx: Context): Promise<number> {
  const file = resolve(ctx.cwd, options.config ?? 'rollout.config.yml');
  const shown = displayPath(ctx.cwd, file);
  try {
    writeFileSync(file, STARTER_PLAN, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new InputError(`${shown} already exists; use --force to overwrite it.`);
    throw new InputError(`cannot write ${shown}: ${code ?? String(error)}`);
  }
  const c = ctx.term.color;
  ctx.term.out.write(
    `${c.green('✓')} wrote ${shown}\nNext: edit the deploy commands and health URLs, then\n  rollout validate\n  rollout plan\n  rollout run --dry-run\n`,
  );
  return 0;
}
