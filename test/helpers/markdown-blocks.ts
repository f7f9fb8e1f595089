import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cli.js';

/** A fenced code block of a Markdown file, with what precedes it (for `<!-- doctest: … -->` markers). */
export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The `<!-- doctest: … -->` marker on the lines just above the fence, if any. */
  marker: string | null;
}

/** README.md and every docs/*.md, found afresh each run: a new page is covered without a test change. */
export function documentationFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

export function codeBlocks(file: string): CodeBlock[] {
  const lines = fs.readFileSync(path.join(repoRoot, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[2] ?? '```';
    const end = lines.findIndex((l, j) => j > i && l.trim().startsWith(fence));
    if (end === -1) throw new Error(`${file}:${i + 1}: unclosed code block`);
    const above = lines.slice(Math.max(0, i - 2), i).join('\n');
    const marker = /<!--\s*doctest:\s*([^>]*?)\s*-->/.exec(above)?.[1] ?? null;
    const indent = (open[1] ?? '').length;
    blocks.push({
      file,
      line: i + 1,
      lang: open[3] ?? '',
      code: lines
        .slice(i + 1, end)
        .map((l) => l.slice(indent))
        .join('\n'),
      marker,
    });
    i = end;
  }
  return blocks;
}
