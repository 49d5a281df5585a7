// The consuming half of `mq bench e2e`, run in a child process of the bench (forked by e2e-bench.ts)
// so that the producer's work and garbage collections do not delay the receive times. It reads the
// topic from its end and records each record's latency: receive time minus the send time the
// producer stamped in the first 8 bytes of the value, both on shared-clock.ts.
//
// IPC messages, parent -> child: {type:'measure-from', sendTimeMs} (records stamped earlier are the
// warm-up: read but not counted; until it arrives, records are held back as [stamp, latency] and
// sorted out when it comes), {type:'expect', count} (stop once that many arrived), {type:'stop'}.
// Child -> parent: {type:'ready'} once assigned at the end of the topic, then {type:'done', ...E2eReceived}
// or {type:'failed', message}. argv[2] is the JSON of E2eReceiverArgs; the client's security settings, if
// any, are the JSON in the MQ_BENCH_E2E_SECURITY variable (kept out of argv, which ps shows).
import { createConsumer } from '../client/index.js';
import type { ClientSecurity } from '../client/security-options.js';
import { E2E_SECURITY_ENV } from './e2e-bench.js';
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

export type E2eControlMessage = { type: 'measure-from'; sendTimeMs: number } | { type: 'expect'; count: number } | { type: 'stop' };

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as E2eReceiverArgs;
  const send = (m: E2eReceiverMessage): Promise<void> => new Promise((resolve) => process.send!(m, () => resolve()));
  const securityJson = process.env[E2E_SECURITY_ENV];
  const security = securityJson ? JSON.parse(securityJson) as ClientSecurity : undefined;
  const consumer = createConsumer({ bootstrap: args.bootstrap, clientId: 'mq-bench-e2e', ...(security ? { security } : {}) });
  const stop = new AbortController();
  let expected = Infinity;
  let received = 0;
  let bytes = 0;
  let lastReceiveAt = 0;
  const latency = new Histogram();
  // Send time (shared clock) from which records count; NaN until the bench says.
  let measureFrom = NaN;
  let heldBack: number[] = [];
  const measure = (ms: number, size: number, at: number): void => {
    latency.record(ms);
    received++;
    bytes += size;
    lastReceiveAt = at;
  };
  process.on('message', (m: E2eControlMessage) => {
    if (m.type === 'stop') stop.abort();
    else if (m.type === 'measure-from') {
      measureFrom = m.sendTimeMs;
      for (let i = 0; i < heldBack.length; i += 4) {
        if (heldBack[i] >= measureFrom) measure(heldBack[i + 1], heldBack[i + 2], heldBack[i + 3]);
      }
      heldBack = [];
      if (received >= expected) stop.abort();
    } else if (m.type === 'expect') {
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
      const stamp = v.readDoubleLE(0);
      const size = v.length + (r.key?.length ?? 0);
      if (Number.isNaN(measureFrom)) heldBack.push(stamp, now - stamp, size, now);
      else if (stamp >= measureFrom) measure(now - stamp, size, now);
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

// A failure outside main's own try (bad argv, or the IPC channel already closed while reporting): the
// bench sees this process exit without a report and says so; this line says why.
main().catch((err: unknown) => {
  process.stderr.write(`mq bench e2e consumer: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
