// The line `mq produce` writes to stderr at the end:
// "produced 200,000 records (1.1 MB) to t in 1.2 s (167,000 records/s)".
import type { LineProducerResult } from './line-producer.js';
import { formatBytes, formatElapsed, formatRate } from '../util/units.js';

export function formatProduceSummary(r: Pick<LineProducerResult, 'acknowledged' | 'bytes' | 'topic' | 'elapsedMs'>): string {
  const rate = r.elapsedMs > 0 ? (r.acknowledged * 1000) / r.elapsedMs : 0;
  const noun = r.acknowledged === 1 ? 'record' : 'records';
  return `produced ${r.acknowledged.toLocaleString("en-US")} ${noun} (${formatBytes(r.bytes)}) to ${r.topic} in ${formatElapsed(r.elapsedMs)} (${formatRate(rate)} records/s)`;
}
