// Human-readable numbers for summaries: decimal byte units (1 MB = 10^6 bytes), thousands separators,
// rates to three significant digits.

/** 1234 -> "1,234". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1288895 -> "1.3 MB"; below 1 kB in bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** A rate rounded to three significant digits with separators: 166666.7 -> "167,000"; 4.25 -> "4.25". */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec <= 0) return '0';
  if (perSec < 100) return String(Number(perSec.toPrecision(3)));
  return formatCount(Number(perSec.toPrecision(3)));
}

/** 1234 -> "1.2 s"; 420 -> "420 ms". */
export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
