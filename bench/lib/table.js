/** The result rows as a Markdown table (readable in a terminal, pasteable into the README). */
export function formatTable(rows) {
  const fmt = (value, unit) => (value === null || value === undefined ? '—' : `${value} ${unit}`);
  const lines = [
    '| figure | ours | baseline | ratio | target | result |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...rows.map((r) => {
      const ratio = r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`;
      const result = r.pass === null ? 'info' : r.pass ? 'pass' : '**FAIL**';
      const note = r.note ? ` (${r.note})` : '';
      return `| ${r.figure} | ${fmt(r.ours, r.unit)} | ${fmt(r.baseline, r.unit)} | ${ratio} | ${r.target} | ${result}${note} |`;
    }),
  ];
  return lines.join('\n');
}
