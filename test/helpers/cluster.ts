// A real cluster for tests: one etcd (test/helpers/etcd.ts) and N `mq broker start --id N --etcd URL`
// processes, each with its own data dir, config file and FIXED 127.0.0.1 port chosen up front, so a
// broker restarted after kill -9 comes back at the same address with the same data. Every process is
// stopped by PID in close(). No import-time side effects (node --test loads this file too).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiKey } from '../../src/protocol/api.js';
import type { MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { freePort, startEtcd, type EtcdProcess } from './etcd.js';
import { eventually, repoRoot, startBrokerProcess, tempDir, type BrokerProcess } from './mq-process.js';
import { setRelayDelay } from '../chaos/delay-relay.js';
import { withTimeout } from '../../src/util/promise.js';
import { TestNetwork } from './test-network.js';
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
  /**
   * Run etcd and each broker in a network namespace of their own (test-network.ts: hosts 'etcd', 'b1',
   * 'b2', ...; the test process is the clients), so a nemesis can cut links. Needs root. Each host's
   * service is reached through a delay relay in its namespace (brokers advertise <ip>:9093 -> 9092,
   * brokers reach etcd at <ip>:2381 -> 2379), so setDelay() can simulate distance.
   */
  netns?: boolean;
  /**
   * Each broker's listeners (the --listen value) instead of one PLAINTEXT listener on its port; the
   * first must stay PLAINTEXT on `port`, which the helper itself talks to; `port2` is a second free port
   * of the broker's own (kept across restarts). Not with `netns`.
   */
  listeners?: (host: string, port: number, port2: number) => string;
  /** Runs once etcd is up and before any broker starts (e.g. to create the brokers' SASL user). */
  beforeBrokers?: (etcdEndpoint: string) => Promise<void>;
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
  /** Broker `id`'s data dir (up or not). */
  dataDir(id: number): string;
  /** The test network (with `netns: true`), else null. */
  readonly network: TestNetwork | null;
  /** The test network's host name of broker `id` ('b<id>'). */
  hostName(id: number): string;
  /** SIGSTOP broker `id` (a pause: the process keeps its sockets and state). */
  pause(id: number): void;
  /** SIGCONT a paused broker. */
  resume(id: number): void;
  /**
   * With `netns`: every byte to and from each broker and etcd waits `ms` (one way) in its host's delay
   * relay (test/chaos/delay-relay.ts), as if the hosts were that far apart.
   */
  setDelay(ms: number): Promise<void>;
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
  /** Metadata (v4) from the first running broker that answers (asking `avoid` last). */
  metadata(topics?: string[] | null, opts?: { avoid?: number }): Promise<MetadataResponse>;
  /** Metadata (v4) from broker `id` itself (its own view of the cluster). */
  metadataFrom(id: number, topics?: string[] | null): Promise<MetadataResponse>;
  /** Where broker `id` itself listens (not its delay relay). */
  address(id: number): { host: string; port: number };
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
  host: string;
  netns?: string;
  port: number;
  /** A second port for ClusterOptions.listeners (0: none). */
  port2: number;
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
  let network: TestNetwork | null = null;
  const relays: { proc: ChildProcess; control: [string, number] }[] = [];
  let etcdEndpoint = '';
  const slots = new Map<number, Slot>();
  const config = { ...FAST_FAILURE_CONFIG, ...opts.config };
  const env = opts.env ?? {};

  const spawnSlot = async (slot: Slot): Promise<void> => {
    const args = ['--id', String(slot.id), '--etcd', etcdEndpoint, '--config', slot.configFile];
    if (slot.netns) args.push('--advertise', `${slot.host}:${RELAY_PORT}`);
    // The port may be held for a moment (just freed, or taken by an outgoing connection): retry briefly.
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        slot.proc = await startBrokerProcess(slot.dataDir, { args, port: slot.port, env, host: slot.host, netns: slot.netns, listeners: opts.listeners?.(slot.host, slot.port, slot.port2) });
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

  const rawMetadata = async (slot: Slot, topics: string[] | null): Promise<MetadataResponse> => {
    // A connect to a cut host would wait minutes.
    const s = await withTimeout(WireSocket.connect(slot.port, slot.host), 3000, `connecting to broker ${slot.id}`);
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
    dataDir: (id) => slotOf(id).dataDir,
    address: (id) => ({ host: slotOf(id).host, port: slotOf(id).port }),
    metadataFrom: (id, topics = []) => rawMetadata(slotOf(id), topics),
    get network() { return network; },
    hostName: (id) => `b${id}`,
    pause(id) { cluster.broker(id).proc.kill('SIGSTOP'); },
    resume(id) { cluster.broker(id).proc.kill('SIGCONT'); },
    async setDelay(ms) {
      if (relays.length === 0) throw new Error('setDelay needs a cluster started with netns: true');
      for (const r of relays) await setRelayDelay(r.control, ms);
    },
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
      await eventually(async () => (await rawMetadata(slot, [])).brokers.some((b) => b.nodeId === id), { timeoutMs: 20_000 });
    },
    async stopEtcd(o = {}) {
      if (o.graceful) await etcd!.stop();
      else await etcd!.kill9();
    },
    async startEtcd() {
      await etcd!.restart();
    },
    async metadata(topics = [], opts = {}) {
      let lastError: unknown = new Error('no broker is running');
      const ids = cluster.upIds();
      for (const id of [...ids.filter((i) => i !== opts.avoid), ...ids.filter((i) => i === opts.avoid)]) {
        try {
          return await rawMetadata(slotOf(id), topics);
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
      for (const r of relays) {
        if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
      }
      await network?.close();
      await dir.remove();
    },
  };

  function slotOf(id: number): Slot {
    const s = slots.get(id);
    if (!s) throw new Error(`no broker ${id} in this cluster (ids ${[...slots.keys()].join(', ')})`);
    return s;
  }

  try {
    const ids = Array.from({ length: opts.brokers }, (_, i) => i + 1);
    if (opts.netns) network = await TestNetwork.create(['etcd', ...ids.map((id) => `b${id}`)]);
    etcd = network ? await startEtcd({ netns: { name: network.host('etcd').ns, host: network.host('etcd').ip } }) : await startEtcd();
    etcdEndpoint = etcd.endpoint;
    if (network) {
      const e = network.host('etcd');
      relays.push(await startRelay(network, 'etcd', [e.ip, 2381], [e.ip, 2379], [e.ip, 2382]));
      etcdEndpoint = `http://${e.ip}:2381`;
      for (const id of ids) {
        const b = network.host(`b${id}`);
        relays.push(await startRelay(network, `b${id}`, [b.ip, RELAY_PORT], [b.ip, 9092], [b.ip, RELAY_PORT + 1]));
      }
    }
    const ports = new Set<number>();
    for (const id of ids) {
      const h = network?.host(`b${id}`);
      let port = h ? 9092 : await freePort();
      while (!h && ports.has(port)) port = await freePort();
      ports.add(port);
      const dataDir = join(dir.path, `broker-${id}`);
      await mkdir(dataDir, { recursive: true });
      const configFile = join(dir.path, `broker-${id}.properties`);
      await writeFile(configFile, Object.entries(config).map(([k, v]) => `${k}=${v}\n`).join(''));
      let port2 = 0;
      if (opts.listeners) {
        port2 = await freePort();
        while (ports.has(port2)) port2 = await freePort();
        ports.add(port2);
      }
      slots.set(id, { id, host: h?.ip ?? '127.0.0.1', netns: h?.ns, port, port2, dataDir, configFile, proc: null, past: '', runs: 0 });
    }
    await opts.beforeBrokers?.(etcdEndpoint);
    await Promise.all([...slots.values()].map((slot) => spawnSlot(slot)));
    await eventually(async () => {
      const md = await cluster.metadata([]);
      return md.brokers.length === opts.brokers && md.controllerId > 0;
    }, { timeoutMs: 30_000 });
  } catch (err) {
    await cluster.close().catch(() => {});
    throw err;
  }
  const list = [...slots.values()].map((s) => `${s.host}:${s.netns ? RELAY_PORT : s.port}`);
  Object.assign(cluster, { ids: [...slots.keys()], bootstrap: list.join(','), bootstrapList: list });
  return cluster;
}

/** Where a broker's delay relay listens (its control port is the next one). */
const RELAY_PORT = 9093;

/** Starts a delay relay in host `name`'s namespace; resolves once it listens. */
async function startRelay(network: TestNetwork, name: string, listen: [string, number], to: [string, number], control: [string, number]): Promise<{ proc: ChildProcess; control: [string, number] }> {
  const script = join(repoRoot, 'dist', 'test', 'chaos', 'delay-relay.js');
  const [cmd, args] = network.command(name, process.execPath, [script, '--listen', listen.join(':'), '--to', to.join(':'), '--control', control.join(':')]);
  // Without the test runner's marker, or the script takes itself for a loaded test file and exits.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`delay relay in ${name} did not start:\n${out}`)), 10_000);
    const onData = (d: Buffer): void => { out += d; if (out.includes('relay listening')) { clearTimeout(timer); resolve(); } };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`delay relay in ${name} exited with ${code}:\n${out}`)); });
  });
  return { proc, control };
}
