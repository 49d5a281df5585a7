// The consuming half of `mq bench e2e`, run in a child process of the bench (forked by e2e-bench.ts)
// so that the producer's work and garbage collections do not delay the receive times. It reads the
// topic from its end and records each record's latency: receive time minus the send time the
// producer stamped in the first 8 bytes of the value, both on shared-clock.ts.
//
// IPC messages, parent -> child: {type:'expect', count} (stop once that many arrived), {type:'stop'}.
// Child -> parent: {type:'ready'} once assigned at the end of the topic, then {type:'done', ...E2eReceived}
// or {type:'failed', message}. argv[2] is the JSON of E2eReceiverArgs.
import { createConsumer } from '../client/index.js';
import { Histogram, type HistogramState } from './histogram.js';
import { sharedClockMs } from './shared-clock.js';

export interface E2eReceiverArgs { bootstrap: string[]; topic: string }

export interface E2eReceived {
  received: number;
  bytes: number;
  /** sharedClockMs() of the last receive; 0 when nothing arrived. */
  lastReceiveAt: number;
  latency: HistogramState;
}

export type E2eReceiverMessage =
  | { type: 'ready' }
  | ({ type: 'done' } & E2eReceived)
  | { type: 'failed'; message: string };

export type E2eControlMessage = { type: 'expect'; count: number } | { type: 'stop' };

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as E2eReceiverArgs;
  const send = (m: E2eReceiverMessage): Promise<void> => new Promise((resolve) => process.send!(m, () => resolve()));
  const consumer = createConsumer({ bootstrap: args.bootstrap, clientId: 'mq-bench-e2e' });
  const stop = new AbortController();
  let expected = Infinity;
  let received = 0;
  let bytes = 0;
  let lastReceiveAt = 0;
  const latency = new Histogram();
  process.on('message', (m: E2eControlMessage) => {
    if (m.type === 'stop') stop.abort();
    else if (m.type === 'expect') {
      expected = m.count;
      if (received >= expected) stop.abort();
    }
  });
  process.on('disconnect', () => stop.abort()); // the bench went away
  try {
    await consumer.assign([{ topic: args.topic, start: { kind: 'end' } }]);
    await send({ type: 'ready' });
    for await (const r of consumer.records({ signal: stop.signal })) {
      const now = sharedClockMs();
      const v = r.value;
      if (v === null || v.length < 8) continue;
      latency.record(now - v.readDoubleLE(0));
      received++;
      bytes += v.length + (r.key?.length ?? 0);
      lastReceiveAt = now;
      if (received >= expected) break;
    }
    await send({ type: 'done', received, bytes, lastReceiveAt, latency: latency.toState() });
  } catch (err) {
    if (stop.signal.aborted) await send({ type: 'done', received, bytes, lastReceiveAt, latency: latency.toState() });
    else await send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  } finally {
    await consumer.close().catch(() => undefined);
    process.disconnect?.();
  }
}

void main();
