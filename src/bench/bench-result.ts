// What `mq bench` reports, and its text form. MB = 10^6 bytes (as in `mq produce`'s summary).
import { formatCount, formatElapsed } from '../util/units.js';
import type { BrokerUsage } from './broker-process.js';
import type { Histogram, LatencySummary } from './histogram.js';

export type BenchMode = 'produce' | 'consume' | 'e2e';

export interface BenchResult {
  recordsPerSec: number;
  mbPerSec: number;
  /** produce: send -> ack of each record; consume: each wait for fetched data; e2e: send -> receive. */
  latencyMs: LatencySummary;
  mode: BenchMode;
  topic: string;
  records: number;
  /** Key and value bytes. */
  bytes: number;
  elapsedMs: number;
  /** The run hit --timeout-ms before --count (a --duration run that ends on time is not timed out). */
  timedOut: boolean;
  /** The broker's CPU time and peak memory during the run, when its process could be read. */
  broker?: BrokerUsage;
}

/** Records per second over `elapsedMs`, rounded to a whole record; 0 for no time. */
export function ratePerSec(records: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs) : 0;
}

/** MB (10^6 bytes) per second over `elapsedMs`, to three decimals; 0 for no time. */
export function mbPerSec(bytes: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((bytes / 1e6 / (elapsedMs / 1000)) * 1000) / 1000 : 0;
}

export function benchResult(
  mode: BenchMode, topic: string, records: number, bytes: number, elapsedMs: number, latency: Histogram, timedOut: boolean,
): BenchResult {
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  const l = latency.summary();
  return {
    recordsPerSec: ratePerSec(records, elapsedMs),
    mbPerSec: mbPerSec(bytes, elapsedMs),
    latencyMs: { p50: round(l.p50), p95: round(l.p95), p99: round(l.p99), p999: round(l.p999), max: round(l.max) },
    mode, topic, records, bytes, elapsedMs: Math.round(elapsedMs), timedOut,
  };
}

const VERB: Record<BenchMode, string> = { produce: 'produced', consume: 'consumed', e2e: 'produced and consumed' };
const LATENCY: Record<BenchMode, string> = { produce: 'send -> ack', consume: 'fetch wait', e2e: 'send -> receive' };

/** The result as aligned `label  value` lines. */
export function formatBenchResult(r: BenchResult): string[] {
  const ms = (n: number): string => n.toFixed(n < 10 ? 2 : 1);
  const l = r.latencyMs;
  const lines = [
    `${VERB[r.mode]} ${formatCount(r.records)} records (${(r.bytes / 1e6).toFixed(1)} MB) ${r.mode === 'consume' ? 'from' : 'to'} ${r.topic} in ${formatElapsed(r.elapsedMs)}${r.timedOut ? ' (stopped at --timeout-ms)' : ''}`,
    `records/s   ${formatCount(r.recordsPerSec)}`,
    `MB/s        ${r.mbPerSec.toFixed(2)}`,
    `latency ms  p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  max ${ms(l.max)}  (${LATENCY[r.mode]})`,
  ];
  if (r.broker) lines.push(`broker      cpu ${r.broker.cpuSeconds.toFixed(2)} s  peak rss ${r.broker.peakRssMb.toFixed(1)} MB  (pid ${r.broker.pid})`);
  return lines;
}
