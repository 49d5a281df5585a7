// `bench/compare.sh`: mq, NATS JetStream and Redis Streams side by side in one run on this machine,
// with the machine's limits, printed as one table of ratios (and written as JSON with --json-out).
//
// Every system gets the same record size and count, one publishing client with one connection and
// up to 32 MiB unacknowledged (mq's default bufferMemory; the peers' window is that many records),
// then one reading client with one connection reads the same records back from the start (consume
// from the page cache; NATS: a pull consumer, Redis: XREAD in batches), then a fixed 10,000 records/s
// for 10 s goes from one publishing connection to one reading connection with the send time in the
// payload (end-to-end latency; NATS: a push consumer, Redis: blocking XREAD), at two durability levels
// (consume and latency at the first):
//   os    - acknowledged once in the page cache, written back by the OS: mq flush.policy=os, NATS
//           JetStream file storage (default sync every 2 min), Redis AOF appendfsync no;
//   fsync - acknowledged after fdatasync/fsync: mq flush.policy=batch (group commit), Redis AOF
//           appendfsync always; Debian's nats-server 2.9.10 has no per-message sync (its config
//           parser refuses sync_interval, a setting of later releases), so NATS shows n/a there.
// mq is measured through its CLI (`mq bench ... --json`); the peers with the minimal pipelined clients
// in ./peers; the broker alone with kcat. Every process started here is stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { measureMachineLimits, type MachineLimits } from './machine-limits.js';
import type { BenchResult } from './bench-result.js';
import { Histogram } from './histogram.js';
import { NatsJetStreamPublisher } from './peers/nats-jetstream.js';
import { NatsJetStreamReader } from './peers/nats-jetstream-reader.js';
import type { PeerReader, ReadRun } from './peers/peer-reader.js';
import type { PipelinedPublisher, PublishRun } from './peers/pipelined-publisher.js';
import { RedisStreamsPublisher } from './peers/redis-streams.js';
import { RedisStreamsReader } from './peers/redis-streams-reader.js';
import { benchPayload } from './produce-load.js';

const RUN_TIMEOUT_MS = 120_000;
const BUFFER_MEMORY_BYTES = 32 * 1024 * 1024;
/** The fixed load and length of the end-to-end latency runs (the same as mq bench e2e's below). */
const E2E_RATE_PER_SEC = 10_000;
const E2E_DURATION_MS = 10_000;
/** How long the reader may still take after the last publish ack before the latency run ends. */
const E2E_GRACE_MS = 10_000;
/** Unmeasured warm-up at the same load before each peer's latency run, as `mq bench e2e` does. */
const E2E_WARMUP_MS = 1000;

interface Row { label: string; mq: number | null; nats: number | null; redis: number | null; unit: string; higherIsBetter: boolean }

export interface CompareReport {
  recordSize: number;
  count: number;
  machine: MachineLimits;
  rows: Row[];
  mq: Record<string, BenchResult | number>;
  /** The peers' figures behind the rows (records/s, latency percentiles in ms), for --json-out. */
  peers?: Record<string, PeerFigures>;
}

/** One peer's runs at one durability level; consume and e2e are only measured at the first. */
export interface PeerFigures {
  produce: { records: number; recordsPerSec: number; latencyMs: ReturnType<Histogram['summary']>; timedOut: boolean };
  consume?: { records: number; recordsPerSec: number; timedOut: boolean };
  e2e?: { sent: number; received: number; latencyMs: ReturnType<Histogram['summary']>; timedOut: boolean };
}

const started: ChildProcess[] = [];

function start(cmd: string, args: string[], log: string): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(log);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  started.push(child);
  return child;
}

function stopAll(): void {
  for (const c of started.splice(0)) if (c.pid !== undefined && c.exitCode === null) { try { process.kill(c.pid, 'SIGTERM'); } catch { /* gone */ } }
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Polls until `port` accepts a connection (at most 20 s). */
async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); r(true); });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after 20 s`);
}

/** Runs a command to its end (bounded by RUN_TIMEOUT_MS); resolves with its stdout. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

async function peer(p: PipelinedPublisher, count: number, window: number): Promise<PublishRun> {
  await p.connect();
  try {
    return await p.publish(count, window, RUN_TIMEOUT_MS);
  } finally {
    p.close();
  }
}

const perSec = (r: PublishRun | ReadRun): number => Math.round((r.records * 1000) / r.elapsedMs);

/** Reads `count` records back from the start of the stream just published. */
async function peerConsume(r: PeerReader, count: number): Promise<ReadRun> {
  await r.connect();
  try {
    return await r.readAll(count, RUN_TIMEOUT_MS);
  } finally {
    r.close();
  }
}

/** E2E_RATE_PER_SEC for E2E_DURATION_MS from `p` to `r` (a fresh stream), send -> receive latency. */
async function peerE2e(p: PipelinedPublisher, r: PeerReader): Promise<NonNullable<PeerFigures['e2e']>> {
  const latency = new Histogram();
  await p.connect();
  try {
    await r.connect();
    let measureFrom = Infinity;
    await r.follow((buf, start) => {
      const sentAt = buf.readDoubleLE(start);
      if (sentAt >= measureFrom) latency.record(performance.now() - sentAt);
    });
    const warm = await p.publishPaced(E2E_RATE_PER_SEC, E2E_WARMUP_MS, RUN_TIMEOUT_MS);
    measureFrom = performance.now();
    const sent = await p.publishPaced(E2E_RATE_PER_SEC, E2E_DURATION_MS, RUN_TIMEOUT_MS);
    const all = await r.waitForDelivered(warm.acked + sent.acked, performance.now() + E2E_GRACE_MS);
    return { sent: sent.sent, received: latency.count, latencyMs: latency.summary(), timedOut: sent.timedOut || !all };
  } finally {
    r.close();
    p.close();
  }
}

function peerFigures(produce: PublishRun, consume?: ReadRun, e2e?: PeerFigures['e2e']): PeerFigures {
  const f: PeerFigures = { produce: { records: produce.records, recordsPerSec: perSec(produce), latencyMs: produce.latency.summary(), timedOut: produce.timedOut } };
  if (consume) f.consume = { records: consume.records, recordsPerSec: perSec(consume), timedOut: consume.timedOut };
  if (e2e) f.e2e = e2e;
  return f;
}

function warnIfPartial(log: (line: string) => void, name: string, f: PeerFigures): void {
  if (f.produce.timedOut) log(`warning: ${name} produce timed out after ${f.produce.records} records`);
  if (f.consume?.timedOut) log(`warning: ${name} consume timed out after ${f.consume.records} records`);
  if (f.e2e?.timedOut) log(`warning: ${name} e2e delivered ${f.e2e.received} of ${f.e2e.sent} records`);
}

export async function compare(recordSize: number, count: number, log: (line: string) => void): Promise<CompareReport> {
  const root = mkdtempSync(join(tmpdir(), 'mq-compare-'));
  const mqBin = resolve('bin/mq.js');
  try {
    log(`machine limits (loopback TCP, O_DSYNC disk writes, fdatasyncs) ...`);
    const machine = await measureMachineLimits(root);

    mkdirSync(join(root, 'mq'));
    const mqPort = await freePort();
    const broker = start(process.execPath, [mqBin, 'broker', 'start', '--data', join(root, 'mq'), '--listen', `127.0.0.1:${mqPort}`, '--admin-listen', '127.0.0.1:0'], join(root, 'mq.log'));
    await waitForPort(mqPort);
    const bootstrap = `127.0.0.1:${mqPort}`;
    const mqBench = async (mode: string, args: string[]): Promise<BenchResult> => {
      log(`mq bench ${mode} ${args.join(' ')} ...`);
      return JSON.parse(await run(process.execPath, [mqBin, 'bench', mode, '-b', bootstrap, '--broker-pid', String(broker.pid), '--json', ...args])) as BenchResult;
    };
    const sized = ['--record-size', String(recordSize), '--count', String(count), '--acks', '1'];
    const mqOs = await mqBench('produce', [...sized, '--topic', 'cmp-os', '--flush-policy', 'os']);
    const mqFsync = await mqBench('produce', [...sized, '--topic', 'cmp-fsync', '--flush-policy', 'batch']);
    const mqConsume = await mqBench('consume', ['--topic', 'cmp-os', '--count', String(count)]);
    const mqLatency = await mqBench('e2e', ['--record-size', String(recordSize), '--rate', '10000', '--duration', '10', '--linger-ms', '0', '--acks', '1', '--flush-policy', 'os']);

    log(`kcat -P -l (librdkafka) into the same broker, flush.policy=os ...`);
    const file = join(root, 'records.txt');
    writeFileSync(file, ('x'.repeat(recordSize - 1) + '\n').repeat(count));
    await run(process.execPath, [mqBin, 'topics', 'create', 'cmp-kcat', '-b', bootstrap, '-p', '1', '--config', 'flush.policy=os']);
    const k0 = performance.now();
    await run('kcat', ['-P', '-l', '-b', bootstrap, '-t', 'cmp-kcat', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'acks=1', file]);
    const kcatPerSec = Math.round((count * 1000) / (performance.now() - k0));
    if (broker.pid !== undefined) process.kill(broker.pid, 'SIGTERM');

    const window = Math.max(1, Math.floor(BUFFER_MEMORY_BYTES / (recordSize + 32)));
    const value = benchPayload(recordSize);

    log(`NATS JetStream (file storage) ...`);
    mkdirSync(join(root, 'nats'));
    const natsPort = await freePort();
    const nats = start('nats-server', ['-js', '-sd', join(root, 'nats'), '-a', '127.0.0.1', '-p', String(natsPort)], join(root, 'nats.log'));
    await waitForPort(natsPort);
    const natsOsRun = await peer(new NatsJetStreamPublisher('127.0.0.1', natsPort, 'cmp', value), count, window);
    log(`NATS JetStream consume (pull consumer from the start) ...`);
    const natsConsume = await peerConsume(new NatsJetStreamReader('127.0.0.1', natsPort, 'cmp'), count);
    log(`NATS JetStream e2e at ${E2E_RATE_PER_SEC.toLocaleString('en-US')} rec/s for ${E2E_DURATION_MS / 1000} s (push consumer) ...`);
    const natsE2e = await peerE2e(new NatsJetStreamPublisher('127.0.0.1', natsPort, 'lat', value), new NatsJetStreamReader('127.0.0.1', natsPort, 'lat'));
    if (nats.pid !== undefined) process.kill(nats.pid, 'SIGTERM');
    const natsOs = peerFigures(natsOsRun, natsConsume, natsE2e);
    warnIfPartial(log, 'NATS JetStream', natsOs);

    const redisRun = async (fsync: 'no' | 'always'): Promise<PeerFigures> => {
      log(`Redis Streams (AOF, appendfsync ${fsync}) ...`);
      const dir = join(root, `redis-${fsync}`);
      mkdirSync(dir);
      const port = await freePort();
      const redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', fsync, '--save', ''], join(root, `redis-${fsync}.log`));
      await waitForPort(port);
      try {
        const produced = await peer(new RedisStreamsPublisher('127.0.0.1', port, 'cmp', value), count, window);
        if (fsync === 'always') return peerFigures(produced);
        log(`Redis Streams consume (XREAD from the start) ...`);
        const consumed = await peerConsume(new RedisStreamsReader('127.0.0.1', port, 'cmp'), count);
        log(`Redis Streams e2e at ${E2E_RATE_PER_SEC.toLocaleString('en-US')} rec/s for ${E2E_DURATION_MS / 1000} s (blocking XREAD) ...`);
        const e2e = await peerE2e(new RedisStreamsPublisher('127.0.0.1', port, 'lat', value), new RedisStreamsReader('127.0.0.1', port, 'lat'));
        return peerFigures(produced, consumed, e2e);
      } finally {
        if (redis.pid !== undefined) process.kill(redis.pid, 'SIGTERM');
      }
    };
    const redisOs = await redisRun('no');
    const redisFsync = await redisRun('always');
    warnIfPartial(log, 'Redis Streams (appendfsync no)', redisOs);
    warnIfPartial(log, 'Redis Streams (appendfsync always)', redisFsync);
    const e2eP = (f: PeerFigures, p: 'p50' | 'p99'): number | null => (f.e2e ? round2(f.e2e.latencyMs[p]) : null);

    const rows: Row[] = [
      { label: `produce ${recordSize} B, acked in page cache (records/s)`, mq: mqOs.recordsPerSec, nats: natsOs.produce.recordsPerSec, redis: redisOs.produce.recordsPerSec, unit: 'rec/s', higherIsBetter: true },
      { label: `produce ${recordSize} B, fsync before ack (records/s)`, mq: mqFsync.recordsPerSec, nats: null, redis: redisFsync.produce.recordsPerSec, unit: 'rec/s', higherIsBetter: true },
      { label: 'produce p50 send->ack, throughput run (ms)', mq: mqOs.latencyMs.p50, nats: round2(natsOs.produce.latencyMs.p50), redis: round2(redisOs.produce.latencyMs.p50), unit: 'ms', higherIsBetter: false },
      { label: 'produce p99 send->ack, throughput run (ms)', mq: mqOs.latencyMs.p99, nats: round2(natsOs.produce.latencyMs.p99), redis: round2(redisOs.produce.latencyMs.p99), unit: 'ms', higherIsBetter: false },
      { label: `consume ${recordSize} B from page cache (records/s)`, mq: mqConsume.recordsPerSec, nats: natsOs.consume?.recordsPerSec ?? null, redis: redisOs.consume?.recordsPerSec ?? null, unit: 'rec/s', higherIsBetter: true },
      { label: 'e2e p50 at 10,000 rec/s, linger 0 (ms)', mq: mqLatency.latencyMs.p50, nats: e2eP(natsOs, 'p50'), redis: e2eP(redisOs, 'p50'), unit: 'ms', higherIsBetter: false },
      { label: 'e2e p99 at 10,000 rec/s, linger 0 (ms)', mq: mqLatency.latencyMs.p99, nats: e2eP(natsOs, 'p99'), redis: e2eP(redisOs, 'p99'), unit: 'ms', higherIsBetter: false },
      { label: 'broker alone, kcat -P (records/s)', mq: kcatPerSec, nats: null, redis: null, unit: 'rec/s', higherIsBetter: true },
      { label: 'broker peak RSS over the mq runs (MB)', mq: Math.max(...[mqOs, mqFsync, mqConsume, mqLatency].map((r) => r.broker?.peakRssMb ?? 0)), nats: null, redis: null, unit: 'MB', higherIsBetter: false },
    ];
    return {
      recordSize, count, machine, rows,
      mq: { produceOs: mqOs, produceFsync: mqFsync, consume: mqConsume, e2eLatency: mqLatency, kcatPerSec },
      peers: { natsOs, redisOs, redisFsync },
    };
  } finally {
    stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

function round2(n: number): number { return Math.round(n * 100) / 100; }

/** The report as one aligned table: each system's figure and mq's ratio to each peer. */
export function formatCompare(r: CompareReport): string[] {
  const fmt = (n: number | null): string => (n === null ? 'n/a' : n >= 1000 ? Math.round(n).toLocaleString('en-US') : String(n));
  const ratio = (row: Row, peerValue: number | null): string => {
    if (row.mq === null || peerValue === null || peerValue === 0 || row.mq === 0) return '';
    const x = row.higherIsBetter ? row.mq / peerValue : peerValue / row.mq;
    return `${x.toFixed(2)}x`;
  };
  const header = ['MEASURE', 'MQ', 'NATS JETSTREAM', 'REDIS STREAMS', 'MQ VS NATS', 'MQ VS REDIS'];
  const body = r.rows.map((row) => [row.label, fmt(row.mq), fmt(row.nats), fmt(row.redis), ratio(row, row.nats), ratio(row, row.redis)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `${r.count.toLocaleString('en-US')} records of ${r.recordSize} B, one client connection each (ratios: >1x means mq is better)`,
    line(header), ...body.map(line), '',
    `machine: loopback TCP ${r.machine.loopbackMbPerSec.toLocaleString('en-US')} MB/s (Node to Node, 1 MiB writes); `
      + `disk ${r.machine.diskDsyncMbPerSec} MB/s (O_DSYNC, 1 MiB blocks); ${r.machine.fdatasyncsPerSec.toLocaleString('en-US')} fdatasyncs/s (4 KiB appends)`,
  ];
}

/** Entry point of bench/compare.sh: [--record-size N] [--count N] [--json-out FILE]. */
export async function main(argv: string[]): Promise<number> {
  const arg = (name: string, def: string): string => { const i = argv.indexOf(name); return i >= 0 && argv[i + 1] ? argv[i + 1] : def; };
  const recordSize = Number(arg('--record-size', '100'));
  const count = Number(arg('--count', '1000000'));
  const jsonOut = arg('--json-out', '');
  if (!(recordSize >= 8) || !(count >= 1)) { process.stderr.write('usage: bench/compare.sh [--record-size N>=8] [--count N] [--json-out FILE]\n'); return 2; }
  const onSignal = (): void => { stopAll(); process.exitCode = 130; };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const t0 = performance.now();
  const report = await compare(recordSize, count, (l) => process.stderr.write(`compare: ${l}\n`));
  process.stdout.write(formatCompare(report).join('\n') + `\n(${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(report, null, 2) + '\n');
  return 0;
}
