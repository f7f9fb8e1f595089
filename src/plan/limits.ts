/**
 * Cheap limits checked on the raw text before the YAML parser sees it. The parser's time and
 * memory grow with the number of nodes and it recurses per nesting level, so a 1 MiB plan made of
 * `[[[[…` or `- - - …` or a million-item list would take seconds and hundreds of MB to reject.
 * No real plan comes near these: a 1,000-stage plan has about 4,000 structural tokens.
 */
export const MAX_PLAN_TOKENS = 20_000;
export const MAX_FLOW_DEPTH = 64;

export interface LimitProblem {
  line: number;
  col: number;
  message: string;
}

/** The first limit the text breaks, or null. Counts line breaks, `,`, `[`, `{` and `- `, `: `, `? ` indicators. */
export function checkPlanLimits(text: string): LimitProblem | null {
  let tokens = 0;
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    const indicator = (ch === 0x2d || ch === 0x3a || ch === 0x3f) && (next === 0x20 || next === 0x0a || next === 0x09 || Number.isNaN(next));
    if (ch === 0x0a) {
      tokens++;
      line++;
      lineStart = i + 1;
    } else if (ch === 0x5b || ch === 0x7b) {
      tokens++;
      if (++depth > MAX_FLOW_DEPTH) return { line, col: i - lineStart + 1, message: `plan is nested deeper than ${MAX_FLOW_DEPTH} levels` };
    } else if (ch === 0x5d || ch === 0x7d) {
      if (depth > 0) depth--;
    } else if (ch === 0x2c || indicator) {
      tokens++;
    }
    if (tokens > MAX_PLAN_TOKENS) {
      return { line, col: i - lineStart + 1, message: `plan has more than ${MAX_PLAN_TOKENS} lines, items and keys; no real plan needs that many` };
    }
  }
  return null;
}
