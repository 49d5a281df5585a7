// The one poller of `mq top`: every `intervalMs` it asks each known broker's admin endpoint for
// /v1/status, /v1/partitions and /v1/groups (in parallel, each with a timeout) and yields one
// ClusterSnapshot. Brokers are known from `admins` (given directly) and from `discover` (Kafka
// Metadata through -b, their admin endpoint assumed on the same host at `adminPort`; or from etcd, with
// the admin port each broker registered). A broker
// seen once stays in the list: when it stops answering it is shown as down and polling goes on.
// Partitions reported by several brokers (replicas, cluster mode) are taken from their leader.
import type { BrokerSnapshot, ClusterSnapshot, GroupSnapshot, PartitionSnapshot, TopSource } from './source.js';
import { pause } from './source.js';
import { AdminHttpClient } from '../src/client/admin-http.js';

export interface DiscoveredBroker {
  nodeId: number;
  host: string;
  port: number;
  /** The broker's own admin port when the discovery knows it (etcd registrations); else `adminPort`. */
  adminPort?: number | null;
}

export interface AdminSourceOptions {
  admins?: string[];
  discover?: () => Promise<DiscoveredBroker[]>;
  adminPort?: number;
  intervalMs: number;
  timeoutMs?: number;
  /** How to reach the admin endpoints (https://, credentials); default plain http without any. */
  http?: AdminHttpClient;
}

interface Known { id: number; address: string; admin: string; lastError?: string }

interface StatusJson {
  nodeId: number; host: string; port: number; controllerId: number; leaders: number; partitions: number;
  bytesIn: number; bytesOut: number; recordsIn: number; recordsOut: number; requestP99Ms: number;
  process: { cpuPercent: number; rssBytes: number; eventLoopDelayP99Ms: number; diskFreeBytes: number | null; openFiles: number | null };
}
type PartitionJson = PartitionSnapshot;
type GroupJson = GroupSnapshot;


function raceTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('discovery timed out')), ms); });
  p.catch(() => undefined); // settles after the race is lost: not an unhandled rejection
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

function reason(err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer';
  return e.cause?.code ?? (e.code !== undefined && e.code !== 'ABORT_ERR' ? e.code : undefined) ?? e.message ?? String(err);
}

export function adminSource(opts: AdminSourceOptions): TopSource {
  const timeoutMs = opts.timeoutMs ?? Math.max(500, Math.min(opts.intervalMs, 3000));
  const adminPort = opts.adminPort ?? 9644;
  const http = opts.http ?? new AdminHttpClient();
  const getJson = <T>(admin: string, path: string, ms: number): Promise<T> => http.getJson<T>(admin, path, ms);
  return {
    async *snapshots(signal) {
      /** By admin address. */
      const known = new Map<string, Known>();
      let nextUnknownId = -1;
      for (const a of opts.admins ?? []) known.set(a, { id: nextUnknownId--, address: '?', admin: a });
      while (!signal.aborted) {
        const started = Date.now();
        const poll = (list: Known[]) => Promise.all(list.map(async (k) => {
          try {
            const [status, partitions, groups] = await Promise.all([
              getJson<StatusJson>(k.admin, '/v1/status', timeoutMs),
              getJson<PartitionJson[]>(k.admin, '/v1/partitions', timeoutMs),
              getJson<GroupJson[]>(k.admin, '/v1/groups', timeoutMs),
            ]);
            k.id = status.nodeId;
            k.address = `${status.host}:${status.port}`;
            return { k, status, partitions, groups };
          } catch (err) {
            k.lastError = reason(err);
            return { k, status: null, partitions: [] as PartitionJson[], groups: [] as GroupJson[] };
          }
        }));
        // Poll what we know first, so explicit admin endpoints have told their node ids before
        // discovery adds (and polls) the brokers not known yet.
        const results = await poll([...known.values()]);
        if (opts.discover) {
          const added: Known[] = [];
          try {
            for (const b of await raceTimeout(opts.discover(), timeoutMs)) {
              const admin = `${b.host}:${b.adminPort ?? adminPort}`;
              const already = [...known.values()].find((k) => k.id === b.nodeId);
              // A broker that registered again with another admin port (restarted on port 0) moves there.
              if (already && b.adminPort != null && already.admin !== admin) known.delete(already.admin);
              else if (already) { already.address = `${b.host}:${b.port}`; continue; }
              if (known.has(admin)) continue;
              const k = { id: b.nodeId, address: `${b.host}:${b.port}`, admin };
              known.set(admin, k);
              added.push(k);
            }
          } catch { /* the bootstrap broker may be the one that is down; poll what we know */ }
          results.push(...await poll(added));
        }
        if (signal.aborted) return;
        yield merge(results, Date.now());
        await pause(Math.max(0, opts.intervalMs - (Date.now() - started)), signal);
      }
    },
  };
}

function merge(results: { k: Known; status: StatusJson | null; partitions: PartitionJson[]; groups: GroupJson[] }[], at: number): ClusterSnapshot {
  const brokers: BrokerSnapshot[] = [];
  const partitions = new Map<string, PartitionSnapshot>();
  const groups = new Map<string, GroupSnapshot>();
  for (const { k, status: s, partitions: ps, groups: gs } of results) {
    if (!s) {
      brokers.push({
        id: k.id, address: k.address, admin: k.admin, alive: false, controller: false, leaders: 0, partitions: 0,
        bytesIn: 0, bytesOut: 0, recordsIn: 0, recordsOut: 0, requestP99Ms: 0, cpuPercent: 0, rssBytes: 0,
        eventLoopDelayP99Ms: 0, diskFreeBytes: null, openFiles: null, error: k.lastError,
      });
      continue;
    }
    brokers.push({
      id: s.nodeId, address: `${s.host}:${s.port}`, admin: k.admin, alive: true, controller: s.controllerId === s.nodeId,
      leaders: s.leaders, partitions: s.partitions, bytesIn: s.bytesIn, bytesOut: s.bytesOut, recordsIn: s.recordsIn,
      recordsOut: s.recordsOut, requestP99Ms: s.requestP99Ms, cpuPercent: s.process.cpuPercent, rssBytes: s.process.rssBytes,
      eventLoopDelayP99Ms: s.process.eventLoopDelayP99Ms, diskFreeBytes: s.process.diskFreeBytes, openFiles: s.process.openFiles,
    });
    for (const p of ps) {
      const key = `${p.topic}/${p.partition}`;
      const have = partitions.get(key);
      if (!have || p.leader === s.nodeId) {
        partitions.set(key, {
          topic: p.topic, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr,
          logStartOffset: p.logStartOffset, logEndOffset: p.logEndOffset, highWatermark: p.highWatermark,
          sizeBytes: p.sizeBytes, bytesIn: p.bytesIn, bytesOut: p.bytesOut,
        });
      }
    }
    for (const g of gs) groups.set(g.groupId, g);
  }
  brokers.sort((a, b) => a.id - b.id);
  return {
    at,
    brokers,
    partitions: [...partitions.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    groups: [...groups.values()].map((g) => withLeaderLag(g, partitions)).sort((a, b) => a.groupId.localeCompare(b.groupId)),
  };
}

/**
 * A group's lag against the high watermarks its partitions' leaders reported: in cluster mode the
 * group's coordinator is often not the leader of its partitions and knows no high watermark for them.
 */
function withLeaderLag(g: GroupSnapshot, partitions: Map<string, PartitionSnapshot>): GroupSnapshot {
  let lag = 0;
  const list = g.partitions.map((gp) => {
    const p = partitions.get(`${gp.topic}/${gp.partition}`);
    const highWatermark = p ? Math.max(p.highWatermark, gp.highWatermark) : gp.highWatermark;
    const partitionLag = Math.max(0, highWatermark - gp.committedOffset);
    lag += partitionLag;
    return { ...gp, highWatermark, lag: partitionLag };
  });
  return { ...g, lag, partitions: list };
}
