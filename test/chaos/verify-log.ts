// After a chaos run: reads every partition of the topic from the beginning to the high watermark with
// src/client's consumer and compares it with the workload's bookkeeping.
//
//   lost          acknowledged records that appear nowhere in the topic (must be 0 with acks=all)
//   duplicated    extra copies of a record (a retried batch that had been written before)
//   outOfOrder    a record whose key's sequence is below one already read for that key, not counting
//                 duplicates (every key lives in one partition, read in offset order)
//   unacknowledgedPresent  records the producer did not see acknowledged (failed or unsettled) that the
//                 topic holds anyway (written, but the answer was lost): allowed
//   ackedOffsetMismatch  acknowledged records not found at the offset their ack named (their log
//                 position was rewritten, e.g. truncated on a failover and refilled): informational
//   foreign       records that are not `k<i>:<seq>` of this workload
//   offsetRegressions  a record whose offset is not above the previous one read from its partition (a
//                 consumer's offsets must only move forward)
// No import-time side effects (node --test loads this file too).
import { createConsumer } from '../../src/client/index.js';
import { MqError } from '../../src/util/mq-error.js';
import { ACKNOWLEDGED, KeyedWorkload, type AckBook } from './keyed-workload.js';
import { PROBE_PREFIX } from './failover-probe.js';

export interface VerifyLogResult {
  consumed: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  unacknowledgedPresent: number;
  ackedOffsetMismatch: number;
  foreign: number;
  offsetRegressions: number;
  /** The failover probe's records (failover-probe.ts), not the workload's: skipped. */
  probes: number;
  /** Whether every partition was read to its high watermark before the time ran out. */
  complete: boolean;
  /** A few examples of each problem, for the failure message. */
  samples: { lost: string[]; outOfOrder: string[]; foreign: string[] };
  elapsedMs: number;
}

export async function verifyLog(opts: { bootstrap: string[]; topic: string; workload: AckBook; timeoutMs?: number }): Promise<VerifyLogResult> {
  const { workload, topic } = opts;
  const keys = workload.keys;
  const copies = new Uint16Array(workload.records);
  const atAckedOffset = new Uint8Array(workload.records);
  const lastSeq = new Int32Array(keys).fill(-1);
  const samples = { lost: [] as string[], outOfOrder: [] as string[], foreign: [] as string[] };
  let consumed = 0;
  let outOfOrder = 0;
  let foreign = 0;
  let offsetRegressions = 0;
  let probes = 0;
  const lastOffset = new Map<number, number>();
  const started = Date.now();
  const deadline = AbortSignal.timeout(opts.timeoutMs ?? 120_000);
  const consumer = createConsumer({ bootstrap: opts.bootstrap, clientId: 'mq-chaos-verify', requestTimeoutMs: 15_000 });
  try {
    // Right after healing, leadership may still move for a few seconds: keep asking (the client's own
    // retries give up after about 3 s, which once ended a run before reading anything).
    for (let attempt = 0; ; attempt++) {
      try {
        await consumer.assign([{ topic, start: { kind: 'beginning' } }]);
        break;
      } catch (err) {
        if (!(err instanceof MqError && err.retriable) || deadline.aborted || attempt >= 30) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    for await (const r of consumer.records({ exitAtEnd: true, signal: deadline })) {
      consumed++;
      if (r.offset <= (lastOffset.get(r.partition) ?? -1)) offsetRegressions++;
      lastOffset.set(r.partition, r.offset);
      const value = r.value?.toString() ?? '';
      if (value.startsWith(PROBE_PREFIX)) { probes++; continue; }
      const n = KeyedWorkload.parse(value, keys);
      if (n < 0 || n >= workload.records || r.key?.toString() !== KeyedWorkload.key(n, keys)) {
        foreign++;
        if (samples.foreign.length < 5) samples.foreign.push(`p${r.partition}@${r.offset} ${r.key?.toString()}=${value}`);
        continue;
      }
      if (workload.ackPartition[n] === r.partition && workload.ackOffset[n] === r.offset) atAckedOffset[n] = 1;
      if (copies[n] < 65535) copies[n]++;
      if (copies[n] > 1) continue;
      const k = n % keys;
      const seq = Math.floor(n / keys);
      if (seq < lastSeq[k]) {
        outOfOrder++;
        if (samples.outOfOrder.length < 5) samples.outOfOrder.push(`k${k}: seq ${seq} at p${r.partition}@${r.offset} after seq ${lastSeq[k]}`);
      } else {
        lastSeq[k] = seq;
      }
    }
  } catch (err) {
    if (!deadline.aborted) throw err;
  } finally {
    await consumer.close();
  }
  let acknowledged = 0;
  let lost = 0;
  let duplicated = 0;
  let unacknowledgedPresent = 0;
  let ackedOffsetMismatch = 0;
  for (let n = 0; n < workload.records; n++) {
    if (copies[n] > 1) duplicated += copies[n] - 1;
    if (workload.status[n] === ACKNOWLEDGED) {
      acknowledged++;
      if (copies[n] === 0) {
        lost++;
        if (samples.lost.length < 5) samples.lost.push(`${KeyedWorkload.value(n, keys)} (acked at p${workload.ackPartition[n]}@${workload.ackOffset[n]})`);
      } else if (!atAckedOffset[n]) {
        ackedOffsetMismatch++;
      }
    } else if (copies[n] > 0) {
      unacknowledgedPresent++;
    }
  }
  return {
    consumed, acknowledged, lost, duplicated, outOfOrder, unacknowledgedPresent, ackedOffsetMismatch, foreign, offsetRegressions, probes,
    complete: !deadline.aborted, samples, elapsedMs: Date.now() - started,
  };
}
