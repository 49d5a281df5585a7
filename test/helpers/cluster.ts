// A real cluster for tests: one etcd (test/helpers/etcd.ts) and N `mq broker start --id N --etcd URL`
// processes, each with its own data dir, config file and FIXED 127.0.0.1 port chosen up front, so a
// broker restarted after kill -9 comes back at the same address with the same data. Every process is
// stopped by PID in close(). No import-time side effects (node --test loads this file too).
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiKey } from '../../src/protocol/api.js';
import type { MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { freePort, startEtcd, type EtcdProcess } from './etcd.js';
import { eventually, startBrokerProcess, tempDir, type BrokerProcess } from './mq-process.js';
import { WireSocket } from './wire.js';

/** Settings every cluster broker gets unless the caller overrides them: fast failure detection. */
export const FAST_FAILURE_CONFIG: Record<string, string> = {
  'broker.session.timeout.ms': '3000',
  'replica.lag.time.max.ms': '3000',
};

export interface ClusterOptions {
  brokers: number;
  /** Broker config (Kafka names, written to each broker's --config file) on top of FAST_FAILURE_CONFIG. */
  config?: Record<string, string>;
  /** Extra environment for the broker processes. */
  env?: Record<string, string>;
}

export interface TestCluster {
  readonly etcd: EtcdProcess;
  /** Broker ids, 1..N. */
  readonly ids: number[];
  /** "127.0.0.1:p1,127.0.0.1:p2,..." for every broker, up or not. */
  readonly bootstrap: string;
  readonly bootstrapList: string[];
  /** The fixed port of broker `id`. */
  port(id: number): number;
  /** The running process of broker `id`; throws while it is down. */
  broker(id: number): BrokerProcess;
  isUp(id: number): boolean;
  /** Ids of the brokers whose process runs. */
  upIds(): number[];
  /** SIGKILL (kill -9) broker `id` by PID and wait for it to exit. No-op when it is down. */
  kill(id: number): Promise<void>;
  /** SIGTERM and wait (a clean shutdown). No-op when it is down. */
  stop(id: number): Promise<void>;
  /** Starts broker `id` again (killing it first if it runs): same data dir, port and config; resolves once it listens and Metadata lists it. */
  restart(id: number): Promise<void>;
  /** kill -9 etcd (SIGKILL; `graceful` = SIGTERM). */
  stopEtcd(opts?: { graceful?: boolean }): Promise<void>;
  /** Starts etcd again on the same ports and data; resolves once healthy. */
  startEtcd(): Promise<void>;
  /** Metadata (v4) from the first running broker that answers. */
  metadata(topics?: string[] | null): Promise<MetadataResponse>;
  /** Leader id of `topic`-`partition` (-1: none or unknown). */
  leaderOf(topic: string, partition: number): Promise<number>;
  /** Leader id per partition index. */
  leaders(topic: string): Promise<number[]>;
  controllerId(): Promise<number>;
  /** Everything broker `id` wrote, over all its runs (each run after the first starts with a marker line). */
  output(id: number): string;
  /** Stops every broker and etcd and removes all data. */
  close(): Promise<void>;
}

interface Slot {
  id: number;
  port: number;
  dataDir: string;
  configFile: string;
  proc: BrokerProcess | null;
  /** Output of earlier runs. */
  past: string;
  runs: number;
}

/** Starts etcd and `brokers` broker processes; every broker has registered when this resolves. */
export async function startCluster(opts: ClusterOptions): Promise<TestCluster> {
  const dir = await tempDir('mq-cluster-');
  let etcd: EtcdProcess | null = null;
  const slots = new Map<number, Slot>();
  const config = { ...FAST_FAILURE_CONFIG, ...opts.config };
  const env = opts.env ?? {};

  const spawnSlot = async (slot: Slot): Promise<void> => {
    const args = ['--id', String(slot.id), '--etcd', etcd!.endpoint, '--config', slot.configFile];
    // The port may be held for a moment (just freed, or taken by an outgoing connection): retry briefly.
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        slot.proc = await startBrokerProcess(slot.dataDir, { args, port: slot.port, env });
        slot.runs++;
        return;
      } catch (err) {
        lastError = err;
        if (!/EADDRINUSE|cannot listen/.test(String((err as Error).message))) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw lastError;
  };

  const retire = (slot: Slot): void => {
    if (!slot.proc) return;
    slot.past += slot.proc.output();
    slot.proc = null;
  };

  const rawMetadata = async (port: number, topics: string[] | null): Promise<MetadataResponse> => {
    const s = await WireSocket.connect(port);
    try {
      return await s.request<MetadataResponse>(ApiKey.Metadata, 4, { topics: topics?.map((name) => ({ name })) ?? null, allowAutoTopicCreation: false }, 5000);
    } finally {
      s.close();
    }
  };

  const cluster: TestCluster = {
    get etcd() { return etcd!; },
    ids: [],
    bootstrap: '',
    bootstrapList: [],
    port: (id) => slotOf(id).port,
    broker(id) {
      const p = slotOf(id).proc;
      if (!p) throw new Error(`broker ${id} is down`);
      return p;
    },
    isUp: (id) => slotOf(id).proc !== null,
    upIds: () => [...slots.values()].filter((s) => s.proc).map((s) => s.id),
    async kill(id) {
      const slot = slotOf(id);
      if (!slot.proc) return;
      await slot.proc.kill9();
      retire(slot);
    },
    async stop(id) {
      const slot = slotOf(id);
      if (!slot.proc) return;
      await slot.proc.stop();
      retire(slot);
    },
    async restart(id) {
      const slot = slotOf(id);
      await cluster.kill(id);
      slot.past += `\n----- broker ${id} run ${slot.runs + 1} -----\n`;
      await spawnSlot(slot);
      // Listening comes after registration; wait until the broker's own metadata shows it as live.
      await eventually(async () => (await rawMetadata(slot.port, [])).brokers.some((b) => b.nodeId === id), { timeoutMs: 20_000 });
    },
    async stopEtcd(o = {}) {
      if (o.graceful) await etcd!.stop();
      else await etcd!.kill9();
    },
    async startEtcd() {
      await etcd!.restart();
    },
    async metadata(topics = []) {
      let lastError: unknown = new Error('no broker is running');
      for (const id of cluster.upIds()) {
        try {
          return await rawMetadata(slotOf(id).port, topics);
        } catch (err) {
          lastError = err;
        }
      }
      throw lastError;
    },
    async leaderOf(topic, partition) {
      const md = await cluster.metadata([topic]);
      return md.topics[0]?.partitions.find((p) => p.partitionIndex === partition)?.leaderId ?? -1;
    },
    async leaders(topic) {
      const md = await cluster.metadata([topic]);
      const parts = [...(md.topics[0]?.partitions ?? [])].sort((a, b) => a.partitionIndex - b.partitionIndex);
      return parts.map((p) => p.leaderId);
    },
    async controllerId() {
      return (await cluster.metadata([])).controllerId;
    },
    output(id) {
      const slot = slotOf(id);
      return slot.past + (slot.proc?.output() ?? '');
    },
    async close() {
      await Promise.all([...slots.values()].map(async (slot) => {
        await slot.proc?.kill9();
        retire(slot);
      }));
      await etcd?.close();
      await dir.remove();
    },
  };

  function slotOf(id: number): Slot {
    const s = slots.get(id);
    if (!s) throw new Error(`no broker ${id} in this cluster (ids ${[...slots.keys()].join(', ')})`);
    return s;
  }

  try {
    etcd = await startEtcd();
    const ports = new Set<number>();
    for (let id = 1; id <= opts.brokers; id++) {
      let port = await freePort();
      while (ports.has(port)) port = await freePort();
      ports.add(port);
      const dataDir = join(dir.path, `broker-${id}`);
      await mkdir(dataDir, { recursive: true });
      const configFile = join(dir.path, `broker-${id}.properties`);
      await writeFile(configFile, Object.entries(config).map(([k, v]) => `${k}=${v}\n`).join(''));
      slots.set(id, { id, port, dataDir, configFile, proc: null, past: '', runs: 0 });
    }
    await Promise.all([...slots.values()].map((slot) => spawnSlot(slot)));
    await eventually(async () => {
      const md = await cluster.metadata([]);
      return md.brokers.length === opts.brokers && md.controllerId > 0;
    }, { timeoutMs: 30_000 });
  } catch (err) {
    await cluster.close().catch(() => {});
    throw err;
  }
  const list = [...slots.values()].map((s) => `127.0.0.1:${s.port}`);
  Object.assign(cluster, { ids: [...slots.keys()], bootstrap: list.join(','), bootstrapList: list });
  return cluster;
}
