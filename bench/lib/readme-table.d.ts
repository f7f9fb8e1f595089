/** Types for readme-table.js, which test/docs/readme-layout.test.ts imports. */
export interface BenchRow {
  id: string;
  ratio: number | null;
  pass: boolean | null;
  ours: number | null;
}
export const README_START: string;
export const README_END: string;
export function readmeTable(rows: BenchRow[]): string;
export function withReadmeTable(readme: string, rows: BenchRow[]): string;
