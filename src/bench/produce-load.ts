// The producing half of `mq bench produce` and `mq bench e2e`: N producers share --count records (and
// --rate), each sending one reused record object whose value is copied into the batch at enqueue, as
// fast as the producer takes them or at the paced rate, until the count, the duration, the timeout or
// the first failed record. Latency is each record's send -> ack. With `stampSendTime`, the first 8
// bytes of each value carry the send time (shared-clock.ts ms, float64 little-endian) for the consumer,
// which may run in another process.
// Paced, the clock is read for every record; unpaced, every 32 records (~20 µs of sending apart).
//
// The producer's promise-free enqueue() path is used when it has one: one shared delivery callback and
// a ring of send times indexed by the record's tag, so the bench itself allocates nothing per record.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DeliveryReport, Producer, ProducerRecord } from '../client/types.js';
import { deferred, type Deferred } from '../util/promise.js';
import { Histogram } from './histogram.js';
import { Pacer } from './pacer.js';
import { SHARED_CLOCK_OFFSET_MS } from './shared-clock.js';

/** Send times of outstanding records; larger than what bufferMemory lets several producers hold. */
const RING_SLOTS = 1 << 21;
const RING_MASK = RING_SLOTS - 1;
/** Unpaced senders let I/O (socket writes, acks) run after this many records. */
const YIELD_EVERY_RECORDS = 2048;
/** Unpaced senders read the clocks (send time, CreateTime) once per this many records (~20 µs apart). */
const CLOCK_EVERY_RECORDS = 32;

export interface ProduceLoadOptions {
  topic: string;
  recordSize: number;
  count: number;
  /** Records per second over all producers; Infinity for as fast as possible. */
  ratePerSec: number;
  /** Stop sending after this long (performance.now() time). */
  deadline: number;
  stampSendTime?: boolean;
}

export interface ProduceLoadOutcome {
  sent: number;
  acked: number;
  startedAt: number;
  lastAckAt: number;
  latency: Histogram;
  failure: unknown;
}

/** A payload of `size` random letters and digits (so gzip cannot cheat). */
export function benchPayload(size: number): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(size);
  for (let i = 0; i < size; i++) bytes[i] = alphabet.charCodeAt(bytes[i] % alphabet.length);
  return bytes;
}

/** Records producer `i` of `n` sends out of `count`: an even split, the first ones taking the remainder. */
export function shareOf(count: number, i: number, n: number): number {
  if (!Number.isFinite(count)) return count;
  return Math.floor(count / n) + (i < count % n ? 1 : 0);
}

/** Sends one record per producer and waits for it, so metadata is known before the clock starts. */
export async function warmUp(producers: Producer[], topic: string, recordSize: number): Promise<void> {
  await Promise.all(producers.map((p) => p.send({ topic, value: benchPayload(recordSize) })));
}

export async function produceLoad(producers: Producer[], opts: ProduceLoadOptions, signal: AbortSignal): Promise<ProduceLoadOutcome> {
  const sendAt = new Float64Array(RING_SLOTS);
  const latency = new Histogram();
  let sent = 0;
  let acked = 0;
  let settled = 0;
  let lastAckAt = 0;
  let failure: unknown = null;
  let sending = true;
  let drained: Deferred<void> | null = null;
  // The records of one batch are acknowledged together: one clock read per batch of acks (per tick).
  let ackClockFresh = false;
  const staleAckClock = (): void => { ackClockFresh = false; };
  const report: DeliveryReport = (error, _partition, _offset, _timestamp, tag) => {
    if (error) failure ??= error;
    else {
      if (!ackClockFresh) {
        lastAckAt = performance.now();
        ackClockFresh = true;
        queueMicrotask(staleAckClock);
      }
      latency.record(lastAckAt - sendAt[tag]);
      acked++;
    }
    if (++settled === sent && !sending) drained?.resolve();
  };
  const stopped = (now: number): boolean => signal.aborted || failure !== null || now >= opts.deadline;

  const sendLoop = async (producer: Producer, quota: number, ratePerSec: number): Promise<void> => {
    const record: ProducerRecord = { topic: opts.topic, value: benchPayload(opts.recordSize), timestamp: Date.now() };
    const stamp = opts.stampSendTime === true && opts.recordSize >= 8;
    const enqueue = enqueueOf(producer);
    const pacer = new Pacer(ratePerSec);
    let now = performance.now();
    for (let n = 0; n < quota;) {
      // Unpaced, records go out back to back: the clocks (send time, CreateTime, deadline) are read
      // every CLOCK_EVERY_RECORDS records; paced, before each record.
      if (pacer.paced || n % CLOCK_EVERY_RECORDS === 0) {
        now = performance.now();
        record.timestamp = Date.now();
        if (stopped(now)) break;
        const waitMs = pacer.waitMs(n, now);
        if (waitMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, waitMs));
          continue;
        }
      } else if (failure !== null || signal.aborted) break;
      const tag = sent & RING_MASK;
      sendAt[tag] = now;
      if (stamp) record.value!.writeDoubleLE(now + SHARED_CLOCK_OFFSET_MS, 0);
      sent++;
      n++;
      if (!enqueue(record, report, tag)) await producer.waitForCapacity();
      else if (!pacer.paced && n % YIELD_EVERY_RECORDS === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  };

  const startedAt = performance.now();
  const n = producers.length;
  await Promise.all(producers.map((p, i) => sendLoop(p, shareOf(opts.count, i, n), opts.ratePerSec / n)));
  sending = false;
  await Promise.all(producers.map((p) => p.flush().catch((err: unknown) => { failure ??= err; })));
  if (settled < sent) {
    drained = deferred<void>();
    await drained.promise;
  }
  return { sent, acked, startedAt, lastAckAt: lastAckAt || performance.now(), latency, failure };
}

/** The producer's enqueue(), or the same over send() for producers without one. */
function enqueueOf(p: Producer): (r: ProducerRecord, report: DeliveryReport, tag: number) => boolean {
  if (p.enqueue) return p.enqueue.bind(p);
  return (r, report, tag) => {
    p.send({ ...r, value: r.value && Buffer.from(r.value) }).then(
      (m) => report(null, m.partition, m.offset, m.timestamp, tag),
      (err: unknown) => report(err instanceof Error ? err : new Error(String(err)), -1, -1, -1, tag),
    );
    return true;
  };
}
