import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { binPath, describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { type CodeBlock, codeBlocks, documentationFiles } from '../helpers/markdown-blocks.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { makeSelfSignedCertificate } from '../helpers/tls.js';

/**
 * Every code block in README.md and docs/*.md (new pages included, found afresh each run) is run
 * or checked here, so no example can rot:
 * - a YAML plan (a mapping with a `stages:` list) must pass `rollout validate`;
 * - a shell block's `npx rolloutctl@…` / `rollout …` lines run, in order, in a fresh directory;
 * - JSON must parse;
 * - anything that cannot run here (a CI pipeline, a transcript, sample output) carries a marker on
 *   the line above its fence, `<!-- doctest: skip — why, and what tests it instead -->` (YAML is
 *   still parsed). A block with neither a rule nor a marker fails, saying how to mark it.
 */
const SHELL = new Set(['sh', 'bash', 'shell']);
const COMMAND_LINE = /^(?:npx rolloutctl@[\d.]+|rollout)\s+(.*)$/;
/** Outcomes a documented command may have here: success, a stage failing or cancelled against no real service. */
const ACCEPTED_EXIT_CODES = [0, 1, 130];

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await removeTempDir(dir);
});
async function freshDir(): Promise<string> {
  const dir = await makeTempDir('rollout-doctest-');
  dirs.push(dir);
  return dir;
}

function skipReason(block: CodeBlock): string | null {
  if (block.marker === null) return null;
  const skip = /^skip\s*[—–:-]\s*(.+)$/.exec(block.marker);
  if (!skip) throw new Error(`${block.file}:${block.line}: unknown doctest marker "${block.marker}" (use "skip — reason")`);
  return skip[1] ?? '';
}

function isPlan(value: unknown): boolean {
  const stages = (value as { stages?: unknown } | null)?.stages;
  return Array.isArray(stages) && stages.every((stage) => stage !== null && typeof stage === 'object');
}

/** `rollout validate` on the plan, with the files and environment it names made up. */
async function validatePlan(code: string): Promise<void> {
  const dir = await freshDir();
  fs.writeFileSync(path.join(dir, 'rollout.config.yml'), code);
  for (const match of code.matchAll(/^\s*ca:\s*(\S+)/gm)) {
    const file = path.join(dir, match[1] ?? '');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(makeSelfSignedCertificate(await freshDir()).certFile, file);
  }
  const env = Object.fromEntries([...code.matchAll(/\$\{env\.(\w+)\}/g)].map((m) => [m[1] ?? '', `https://hooks.example.com/${m[1]}`]));
  const result = await runCli(['validate'], { cwd: dir, env });
  expect(result.exitCode, describeResult(result)).toBe(0);
}

/** The block's rollout command lines, run in order in one fresh directory, as a reader would. */
async function runShell(block: CodeBlock): Promise<void> {
  const commands = block.code
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .map((line) => COMMAND_LINE.exec(line)?.[1])
    .filter((args): args is string => args !== undefined);
  expect(commands.length, `${block.file}:${block.line}: no rollout command to run; mark the block <!-- doctest: skip — why -->`).toBeGreaterThan(0);
  const dir = await freshDir();
  for (const args of commands) {
    // bash, so the quoting works as written; a run against no real service is cancelled after a while.
    const result = await execa('bash', ['-c', `exec node ${JSON.stringify(binPath)} ${args}`], {
      cwd: dir,
      env: { NO_COLOR: '1', CI: 'true' },
      reject: false,
      all: true,
      timeout: 8_000,
      killSignal: 'SIGINT',
    });
    const shown = `rollout ${args} → exit ${result.exitCode}\n${result.all}`;
    expect(ACCEPTED_EXIT_CODES, shown).toContain(result.exitCode);
    expect(result.all, shown).not.toMatch(STACK_TRACE);
    expect(result.all, shown).not.toMatch(/unknown option|unknown command|too many arguments/);
  }
}

async function checkBlock(block: CodeBlock): Promise<void> {
  const skip = skipReason(block);
  if (skip !== null) {
    expect(skip.length, `${block.file}:${block.line}: say why the block cannot run here`).toBeGreaterThan(15);
    if (block.lang === 'yaml') expect(() => parse(block.code)).not.toThrow();
    return;
  }
  if (block.lang === 'yaml' && isPlan(parse(block.code))) return validatePlan(block.code);
  if (block.lang === 'json') return void expect(() => JSON.parse(block.code)).not.toThrow();
  if (SHELL.has(block.lang)) return runShell(block);
  throw new Error(
    `${block.file}:${block.line}: a \`${block.lang || 'plain'}\` block no rule runs. If it cannot run here, put ` +
      '`<!-- doctest: skip — why, and what tests it instead -->` on the line above its fence.',
  );
}

describe.each(documentationFiles())('examples in %s', { timeout: 60_000 }, (file) => {
  const blocks = codeBlocks(file);
  if (blocks.length === 0) it('has no code blocks', () => expect(blocks).toEqual([]));
  for (const block of blocks) {
    const skip = skipReason(block);
    it(`line ${block.line}: ${block.lang || 'plain'}${skip === null ? '' : ' (not run here: see its marker)'}`, () => checkBlock(block));
  }
});
