// `mq bench e2e`: produces (as `mq bench produce` does) while one consumer reads the same topic from
// its end, and measures each record's latency from send to receive. The consumer runs in a child
// process (e2e-receiver.ts): with both halves in one process, the producer's work and its garbage
// collections (10-20 ms mark-compacts every few hundred ms at 10,000 records/s) sat in front of the
// receive times and made p99 20-150 ms while the broker's own figures were ~2 ms. The send time
// travels in the record: the first 8 bytes of each value hold shared-clock.ts ms at send (float64 LE),
// a clock both processes read alike.
// Throughput is received records over the time from the first send to the last receive. Ends when
// every acknowledged record has arrived, or E2E_GRACE_MS after the producers finished, or at the timeout.
// Warm-up: before the measured run, the same load runs for E2E_WARMUP_MS (at most E2E_WARMUP_RECORDS
// records) and its records are not measured (the receiver skips values stamped before the measured
// run). In the first ~250 ms of load all three processes compile their hot paths and stall for 5-20 ms
// at a time, which alone delayed ~1% of a 10 s run's records: a start-up cost, not steady latency.
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { ClientSecurity } from '../client/security-options.js';
import type { Admin, Producer } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { benchResult, type BenchResult } from './bench-result.js';
import { benchSignal } from './bench-signal.js';
import type { E2eControlMessage, E2eReceived, E2eReceiverArgs, E2eReceiverMessage } from './e2e-receiver.js';
import { ensureTopic } from './ensure-topic.js';
import { Histogram } from './histogram.js';
import { produceLoad, warmUp } from './produce-load.js';
import { benchFailed, type ProduceBenchOptions } from './produce-bench.js';
import { SHARED_CLOCK_OFFSET_MS, sharedClockMs } from './shared-clock.js';

/** How long the consumer may still take after the last ack before the run ends without the rest. */
const E2E_GRACE_MS = 10_000;
/** How long the receiver may take to start and find the end of the topic. */
const RECEIVER_START_MS = 30_000;
/** The unmeasured warm-up before the measured run: this long, and at most this many records. */
const E2E_WARMUP_MS = 1000;
const E2E_WARMUP_RECORDS = 20_000;

export async function runE2eBench(
  admin: Admin, producers: Producer[], bootstrap: string[], opts: ProduceBenchOptions, signal?: AbortSignal, security?: ClientSecurity,
): Promise<BenchResult> {
  if (opts.recordSize < 8) throw new MqError('INVALID_ARGUMENT', 'bench e2e needs --record-size of at least 8 (the send time travels in the value)');
  await ensureTopic(admin, opts.topic, opts.partitions, opts.topicConfigs);
  await warmUp(producers, opts.topic, opts.recordSize);
  const receiver = new Receiver({ bootstrap, topic: opts.topic }, security);
  const run = benchSignal(opts.timeoutMs, signal);
  const onRunAbort = (): void => receiver.control({ type: 'stop' });
  run.signal.addEventListener('abort', onRunAbort, { once: true });
  let grace: NodeJS.Timeout | null = null;
  try {
    await receiver.ready(RECEIVER_START_MS);
    const measureFrom = performance.now() + E2E_WARMUP_MS;
    receiver.control({ type: 'measure-from', sendTimeMs: measureFrom + SHARED_CLOCK_OFFSET_MS });
    const warm = await produceLoad(producers, {
      topic: opts.topic, recordSize: opts.recordSize, count: E2E_WARMUP_RECORDS, ratePerSec: opts.ratePerSec ?? Infinity,
      deadline: measureFrom, stampSendTime: true,
    }, run.signal);
    if (warm.failure !== null) throw benchFailed(warm.failure, warm.acked, warm.sent);
    const early = measureFrom - performance.now();
    if (early > 0) await new Promise((resolve) => setTimeout(resolve, early + 1));
    const out = await produceLoad(producers, {
      topic: opts.topic, recordSize: opts.recordSize, count: opts.count, ratePerSec: opts.ratePerSec ?? Infinity,
      deadline: performance.now() + (opts.durationMs ?? Infinity), stampSendTime: true,
    }, run.signal);
    if (out.failure !== null) throw benchFailed(out.failure, out.acked, out.sent);
    receiver.control({ type: 'expect', count: out.acked });
    grace = setTimeout(() => receiver.control({ type: 'stop' }), E2E_GRACE_MS);
    const got = await receiver.done;
    const latency = Histogram.fromState(got.latency);
    const elapsedMs = (got.lastReceiveAt || sharedClockMs()) - (out.startedAt + SHARED_CLOCK_OFFSET_MS);
    return benchResult('e2e', opts.topic, got.received, got.bytes, elapsedMs, latency, got.received < out.acked);
  } finally {
    if (grace) clearTimeout(grace);
    run.signal.removeEventListener('abort', onRunAbort);
    run.dispose();
    await receiver.close();
  }
}

/** The environment variable carrying the receiver's ClientSecurity JSON (not argv: ps shows that). */
export const E2E_SECURITY_ENV = 'MQ_BENCH_E2E_SECURITY';

/** The forked e2e-receiver.ts and its messages. */
class Receiver {
  private readonly child: ChildProcess;
  private readonly started: Promise<void>;
  readonly done: Promise<E2eReceived>;
  private exited: Promise<void>;

  constructor(args: E2eReceiverArgs, security?: ClientSecurity) {
    // Security settings travel in the child's environment, not its argv, so a password stays out of ps.
    const env = security ? { ...process.env, [E2E_SECURITY_ENV]: JSON.stringify(security) } : process.env;
    this.child = fork(new URL('./e2e-receiver.js', import.meta.url), [JSON.stringify(args)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    let onReady!: () => void;
    let onFail!: (err: Error) => void;
    this.started = new Promise<void>((resolve, reject) => { onReady = resolve; onFail = reject; });
    this.done = new Promise<E2eReceived>((resolve, reject) => {
      const fail = (err: Error): void => { onFail(err); reject(err); };
      this.child.on('message', (m: E2eReceiverMessage) => {
        if (m.type === 'ready') onReady();
        else if (m.type === 'done') resolve(m);
        else fail(new MqError('BENCH_FAILED', `bench e2e consumer: ${m.message}`));
      });
      this.child.once('error', fail);
      this.child.once('exit', (code, sig) => fail(new MqError('BENCH_FAILED', `bench e2e consumer process exited (${sig ?? code}) before reporting`)));
    });
    this.done.catch(() => undefined);
    this.started.catch(() => undefined);
  }

  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new MqError('BENCH_FAILED', `bench e2e consumer did not start within ${timeoutMs} ms`)), timeoutMs);
    });
    try { await Promise.race([this.started, timeout]); } finally { clearTimeout(timer); }
  }

  control(m: E2eControlMessage): void {
    if (this.child.connected) this.child.send(m);
  }

  async close(): Promise<void> {
    this.control({ type: 'stop' });
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(kill);
    }
  }
}
