// What `mq bench` reports, and its text form. MB = 10^6 bytes (as in `mq produce`'s summary).
import { formatCount, formatElapsed } from '../cli/units.js';
import type { Histogram, LatencySummary } from './histogram.js';

export interface BenchResult {
  recordsPerSec: number;
  mbPerSec: number;
  /** produce: send -> ack of each record; consume: each wait for fetched data. */
  latencyMs: LatencySummary;
  mode: 'produce' | 'consume';
  topic: string;
  records: number;
  /** Key and value bytes. */
  bytes: number;
  elapsedMs: number;
  /** The run hit --timeout-ms before --count. */
  timedOut: boolean;
}

export function benchResult(
  mode: BenchResult['mode'], topic: string, records: number, bytes: number, elapsedMs: number, latency: Histogram, timedOut: boolean,
): BenchResult {
  const seconds = elapsedMs / 1000;
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  const l = latency.summary();
  return {
    recordsPerSec: seconds > 0 ? Math.round(records / seconds) : 0,
    mbPerSec: seconds > 0 ? round(bytes / 1e6 / seconds) : 0,
    latencyMs: { p50: round(l.p50), p95: round(l.p95), p99: round(l.p99), p999: round(l.p999), max: round(l.max) },
    mode, topic, records, bytes, elapsedMs: Math.round(elapsedMs), timedOut,
  };
}

/** The result as aligned `label  value` lines. */
export function formatBenchResult(r: BenchResult): string[] {
  const verb = r.mode === 'produce' ? 'produced' : 'consumed';
  const what = r.mode === 'produce' ? 'send -> ack' : 'fetch wait';
  const ms = (n: number): string => n.toFixed(n < 10 ? 2 : 1);
  const l = r.latencyMs;
  return [
    `${verb} ${formatCount(r.records)} records (${(r.bytes / 1e6).toFixed(1)} MB) ${r.mode === 'produce' ? 'to' : 'from'} ${r.topic} in ${formatElapsed(r.elapsedMs)}${r.timedOut ? ' (stopped at --timeout-ms)' : ''}`,
    `records/s   ${formatCount(r.recordsPerSec)}`,
    `MB/s        ${r.mbPerSec.toFixed(2)}`,
    `latency ms  p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  max ${ms(l.max)}  (${what})`,
  ];
}
