// The arithmetic and drawing of `mq reassign status` (issue 8): how far an adding replica has caught up
// (its log size against its leader's, from the admin endpoints), how fast it copies (its size between two
// samples) and when it will be done at that rate; and the live view on a terminal: one line per moving
// replica with a progress bar, and a totals line, redrawn in place.
import { formatBytes } from '../util/units.js';

export interface ProgressFigures {
  /** Bytes the adding replica holds; null when unknown. */
  caughtUpBytes: number | null;
  /** Bytes left to copy (leader's size - adding replica's, at least 0); null when unknown. */
  remainingBytes: number | null;
  /** 0-100; 100 once in the ISR; null when unknown. */
  percent: number | null;
  /** The adding replica's growth between two samples; null without a previous sample. */
  rateBytesPerSec: number | null;
  /** remaining / rate, rounded up; 0 once in the ISR; null when the rate is unknown or not positive. */
  etaSeconds: number | null;
}

export interface ProgressInput {
  sizeBytes: number | null;
  leaderSizeBytes: number | null;
  inIsr: boolean;
  /** The same replica's size in the previous sample, and the time between the samples. */
  previousSizeBytes?: number | null;
  elapsedMs?: number;
}

/** Percent, remaining bytes, rate and ETA of one adding replica. */
export function progressFigures(i: ProgressInput): ProgressFigures {
  const known = i.sizeBytes !== null && i.leaderSizeBytes !== null;
  const remainingBytes = i.inIsr ? 0 : known ? Math.max(0, i.leaderSizeBytes! - i.sizeBytes!) : null;
  let percent: number | null = null;
  if (i.inIsr) percent = 100;
  else if (known) percent = i.leaderSizeBytes! <= 0 ? 100 : Math.min(100, Math.floor((i.sizeBytes! / i.leaderSizeBytes!) * 100));
  let rateBytesPerSec: number | null = null;
  if (i.sizeBytes !== null && typeof i.previousSizeBytes === 'number' && i.elapsedMs !== undefined && i.elapsedMs > 0) {
    rateBytesPerSec = Math.max(0, ((i.sizeBytes - i.previousSizeBytes) * 1000) / i.elapsedMs);
  }
  let etaSeconds: number | null = null;
  if (i.inIsr) etaSeconds = 0;
  else if (remainingBytes !== null && rateBytesPerSec !== null && rateBytesPerSec > 0) etaSeconds = Math.ceil(remainingBytes / rateBytesPerSec);
  return { caughtUpBytes: i.sizeBytes, remainingBytes, percent, rateBytesPerSec, etaSeconds };
}

/** 75 -> "1m15s", 3700 -> "1h01m", 9 -> "9s"; "-" when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "2.1 MB/s"; "-" when unknown. */
export function formatByteRate(bytesPerSec: number | null): string {
  return bytesPerSec === null ? '-' : `${formatBytes(Math.round(bytesPerSec))}/s`;
}

/** A bar of `width` cells, filled in proportion to `percent` ("#####-----" style, plain ASCII). */
export function progressBar(percent: number | null, width: number): string {
  const p = percent === null ? 0 : Math.max(0, Math.min(100, percent));
  const filled = Math.round((p / 100) * width);
  return '#'.repeat(filled) + '-'.repeat(width - filled);
}

/** One moving replica in the live view. */
export interface LiveRow {
  label: string;
  figures: ProgressFigures;
  leaderSizeBytes: number | null;
  throttleBytesPerSec: number | null;
}

/** The text of one live frame: a line per moving replica, then the totals. Lines cut to `columns`. */
export function liveFrame(rows: LiveRow[], columns: number, waiting = 0): string[] {
  const labelWidth = Math.min(40, Math.max(5, ...rows.map((r) => r.label.length)));
  const lines = rows.map((r) => {
    const f = r.figures;
    const pct = f.percent === null ? '  ?%' : `${String(f.percent).padStart(3)}%`;
    const bytes = f.caughtUpBytes === null || r.leaderSizeBytes === null ? '?' : `${formatBytes(f.caughtUpBytes)}/${formatBytes(r.leaderSizeBytes)}`;
    const throttle = r.throttleBytesPerSec ? `  throttle ${formatByteRate(r.throttleBytesPerSec)}` : '';
    return `${r.label.padEnd(labelWidth)}  [${progressBar(f.percent, 24)}] ${pct}  ${bytes}  ${formatByteRate(f.rateBytesPerSec)}  eta ${formatEta(f.etaSeconds)}${throttle}`;
  });
  const sum = (pick: (r: LiveRow) => number | null): number | null => {
    let total = 0;
    for (const r of rows) {
      const v = pick(r);
      if (v === null) return null;
      total += v;
    }
    return total;
  };
  const remaining = sum((r) => r.figures.remainingBytes);
  const leader = sum((r) => r.leaderSizeBytes);
  const copied = sum((r) => r.figures.caughtUpBytes);
  const rate = sum((r) => r.figures.rateBytesPerSec);
  const percent = leader !== null && copied !== null ? (leader <= 0 ? 100 : Math.min(100, Math.floor((copied / leader) * 100))) : null;
  // The last one to finish decides the total ETA.
  const etas = rows.map((r) => r.figures.etaSeconds);
  const eta = etas.some((e) => e === null) ? null : Math.max(0, ...(etas as number[]));
  const head = `${rows.length} moving${waiting > 0 ? `, ${waiting} waiting` : ''}`;
  const total = `total: ${head}  [${progressBar(percent, 24)}] ${percent === null ? '?' : percent}%  `
    + `${remaining === null ? '?' : formatBytes(remaining)} left  ${formatByteRate(rate)}  eta ${formatEta(eta)}`;
  return [...lines, total].map((l) => (l.length > columns ? l.slice(0, Math.max(1, columns - 1)) : l));
}
