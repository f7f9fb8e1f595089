/** Numbers as a person reads them in a verdict: short, no exponent for everyday sizes. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(abs >= 100 ? 4 : 3)));
}

export function formatSigned(value: number): string {
  return value > 0 ? `+${formatValue(value)}` : formatValue(value);
}

/** 2,660 */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** 5.0 %, 0.08 %: two significant digits, at least one decimal. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return 'n/a';
  const percent = share * 100;
  if (percent === 0) return '0 %';
  const digits = Math.max(1, 1 - Math.floor(Math.log10(Math.abs(percent))));
  return `${percent.toFixed(Math.min(digits, 4))} %`;
}

/** p < 0.001, p = 0.041 */
export function formatP(p: number | null): string {
  if (p === null || Number.isNaN(p)) return 'p n/a';
  if (p < 0.001) return 'p < 0.001';
  return `p = ${Number(p.toPrecision(2))}`;
}

export function formatLevel(level: number): string {
  return Number(level.toPrecision(2)).toString();
}

export function percent(confidence: number): string {
  return `${Number((confidence * 100).toPrecision(3))} %`;
}
