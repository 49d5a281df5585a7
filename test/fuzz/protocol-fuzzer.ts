// A protocol fuzzer against one running broker process: `lanes` connections in parallel, each writing
// bursts of mutated request frames (mutate.ts over request-corpus.ts seeds), then waiting until the
// broker answers everything it is going to answer (no new bytes for `idleMs`) or closes the connection,
// then opening a fresh one. A burst's frames carry mutations that mostly still decode (values, strings,
// flipped bits), so the broker reads and answers them, and its last frame any mutation (a cut, a lying
// size or count usually makes the broker close the connection there). Between bursts it checks the process is alive and samples its VmRSS.
// Stops at `frames` frames or `durationMs`, or at the first death. Each lane draws from its own
// SeededRandom(seed + lane), so a lane's frame sequence is reproducible from the seed. No import-time
// side effects.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { ApiKey } from '../../src/protocol/api.js';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';
import { SeededRandom } from '../chaos/seeded-random.js';
import { batchOf } from '../helpers/hostile-batches.js';
import { WireSocket } from '../helpers/wire.js';
import { MUTATION_KINDS, SOFT_MUTATION_KINDS, mutate, type MutationKind } from './mutate.js';
import { seedFrames, type SeedFrame } from './request-corpus.js';

/** A connection not accepted for this long means the broker is hung. */
const HUNG_MS = 5000;

export interface FuzzOptions {
  port: number;
  pid: number;
  seed: number;
  /** The topic the seeds name (one partition, existing) and the group. */
  topic: string;
  group: string;
  /** Stop after this many frames (all lanes together)... */
  frames?: number;
  /** ...or after this long, whichever comes first. */
  durationMs?: number;
  lanes?: number;
  /** Frames per connection burst. */
  burst?: number;
  /** Quiet time after which a burst counts as answered. */
  idleMs?: number;
  /** Mutations left out (with the reason, for the report): `skip(kind, seed)` true means do not send. */
  skip?: (kind: MutationKind, seed: SeedFrame) => boolean;
  /** Called about once a second. */
  onProgress?: (r: FuzzReport) => void;
}

export interface SentFrame { lane: number; kind: MutationKind; api: string; version: number; hex: string }

export interface FuzzReport {
  seed: number;
  framesSent: number;
  byKind: Record<string, number>;
  connections: number;
  /** Connections the broker closed (after garbage) rather than the fuzzer. */
  closedByBroker: number;
  responseBytes: number;
  /** Response frames received (each answers one request frame). */
  responses: number;
  /** Connections the broker did not accept within HUNG_MS. */
  unanswered: number;
  peakRssMb: number;
  elapsedMs: number;
  /** Null while the broker lives; otherwise how it ended, with each lane's last burst. */
  death: { detail: string; lastBursts: SentFrame[][] } | null;
}

/** The process's VmRSS in MB, or -1 once it is gone. */
export function rssMbOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : -1;
  } catch {
    return -1;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return rssMbOf(pid) >= 0; // a zombie has no VmRSS line
  } catch {
    return false;
  }
}

/** Writes one burst on a fresh connection; resolves once the broker closed it or went quiet. */
function burstOn(port: number, frames: Buffer[], idleMs: number, report: FuzzReport): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (byBroker: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (byBroker) report.closedByBroker++;
      socket.destroy();
      resolve();
    };
    const quietFor = (): void => { clearTimeout(timer); timer = setTimeout(() => finish(false), idleMs); };
    // A broker that does not even accept within HUNG_MS is hung (its event loop blocked): the run stops.
    timer = setTimeout(() => { report.unanswered++; finish(false); }, HUNG_MS);
    socket.on('connect', () => {
      report.connections++;
      socket.write(Buffer.concat(frames));
      quietFor();
    });
    // Counts response frames: `need` bytes of the current one are still to come; its size when 4 are in.
    let need = 0;
    let size = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      report.responseBytes += d.length;
      let at = 0;
      while (at < d.length) {
        if (need > 0) {
          const n = Math.min(need, d.length - at);
          need -= n;
          at += n;
          continue;
        }
        size = Buffer.concat([size, d.subarray(at, at + 4 - size.length)]);
        at += Math.min(4, d.length - at);
        if (size.length === 4) {
          report.responses++;
          need = size.readInt32BE(0);
          size = Buffer.alloc(0);
        }
      }
      quietFor();
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

/** Runs the fuzzer; the report says whether the broker died (and on what). Never throws for the broker's sake. */
export async function fuzzBroker(o: FuzzOptions): Promise<FuzzReport> {
  const seeds = seedFrames(o.topic, o.group);
  const lanes = o.lanes ?? 8;
  const burst = o.burst ?? 16;
  const idleMs = o.idleMs ?? 20;
  const deadline = Date.now() + (o.durationMs ?? Number.MAX_SAFE_INTEGER);
  const maxFrames = o.frames ?? Number.MAX_SAFE_INTEGER;
  const started = Date.now();
  const report: FuzzReport = {
    seed: o.seed, framesSent: 0, byKind: {}, connections: 0, closedByBroker: 0, responseBytes: 0, responses: 0, unanswered: 0, peakRssMb: 0, elapsedMs: 0, death: null,
  };
  const lastBursts: SentFrame[][] = Array.from({ length: lanes }, () => []);
  const sample = (): void => { report.peakRssMb = Math.max(report.peakRssMb, rssMbOf(o.pid)); };
  const sampler = setInterval(() => {
    sample();
    report.elapsedMs = Date.now() - started;
    o.onProgress?.(report);
  }, 1000);
  const stop = (): boolean => report.death !== null || report.framesSent >= maxFrames || Date.now() > deadline;

  const lane = async (n: number): Promise<void> => {
    const r = new SeededRandom((o.seed + n) >>> 0);
    while (!stop()) {
      const frames: Buffer[] = [];
      const sent: SentFrame[] = [];
      while (frames.length < burst) {
        const seed = r.pick(seeds);
        const kind = r.pick(frames.length === burst - 1 ? MUTATION_KINDS : SOFT_MUTATION_KINDS);
        const frame = mutate(r, kind, seed, r.pick(seeds));
        if (o.skip?.(kind, seed)) continue;
        frames.push(frame);
        sent.push({ lane: n, kind, api: seed.apiName, version: seed.version, hex: frame.subarray(0, 256).toString('hex') });
        report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
      }
      report.framesSent += frames.length;
      lastBursts[n] = sent;
      await burstOn(o.port, frames, idleMs, report);
      if (report.death !== null) continue;
      if (!alive(o.pid)) report.death = { detail: `broker pid ${o.pid} exited`, lastBursts: lastBursts.map((b) => [...b]) };
      else if (report.unanswered > 0) report.death = { detail: `broker pid ${o.pid} did not accept a connection within ${HUNG_MS} ms (hung)`, lastBursts: lastBursts.map((b) => [...b]) };
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, (_, n) => lane(n)));
  } finally {
    clearInterval(sampler);
  }
  sample();
  report.elapsedMs = Date.now() - started;
  return report;
}

/** One line per kind of the counts, for logs. */
export function formatFuzzReport(r: FuzzReport): string {
  const kinds = Object.entries(r.byKind).map(([k, n]) => `${k}=${n}`).join(' ');
  return `seed ${r.seed}: ${r.framesSent} frames in ${(r.elapsedMs / 1000).toFixed(1)} s over ${r.connections} connections `
    + `(${r.responses} answered, ${r.closedByBroker} connections closed by the broker), broker peak RSS ${r.peakRssMb.toFixed(0)} MB; ${kinds}`
    + (r.death ? `\nBROKER DIED: ${r.death.detail}` : '');
}

/** Creates the one-partition topic the seeds name. */
export async function createFuzzTopic(port: number, topic: string): Promise<void> {
  const s = await WireSocket.connect(port);
  try {
    const res = await s.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false,
    });
    if (res.topics[0].errorCode !== 0) throw new Error(`creating ${topic}: error ${res.topics[0].errorCode}`);
  } finally {
    s.close();
  }
}

/**
 * A normal client's produce and fetch on a fresh topic after the fuzzing: resolves with the fetched
 * values (the caller compares them with `values`); throws when the broker does not serve.
 */
export async function produceAndFetch(port: number, topic: string, values: string[]): Promise<string[]> {
  await createFuzzTopic(port, topic);
  const s = await WireSocket.connect(port);
  try {
    const produced = await s.request(ApiKey.Produce, 7, {
      transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batchOf(values) }] }],
    });
    const p = produced.responses[0].partitionResponses[0];
    if (p.errorCode !== 0) throw new Error(`produce after fuzzing: error ${p.errorCode}`);
    const fetched = await s.request(ApiKey.Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: p.baseOffset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    return decodeRecordBatches(fetched.responses[0].partitions[0].records).flatMap((b) => b.records.map((rec) => rec.value?.toString() ?? ''));
  } finally {
    s.close();
  }
}
