// A pure reducer over snapshots: the latest snapshot, rates from the two latest (bytes per second of
// each broker, partition and topic), and fixed-size windows of the last `windowSize` values of each
// series for sparklines and charts (the oldest value drops out as a new one comes in). Counters that
// went backwards (a restarted broker) count as a rate of 0.
import type { ClusterSnapshot } from './source.js';

export interface Rate { inPerSec: number; outPerSec: number }

export interface History {
  windowSize: number;
  latest: ClusterSnapshot | null;
  previous: ClusterSnapshot | null;
  brokerRates: ReadonlyMap<number, Rate>;
  /** Key "topic/partition". */
  partitionRates: ReadonlyMap<string, Rate>;
  topicRates: ReadonlyMap<string, Rate>;
  /**
   * Windows: "cluster:in", "cluster:out" (bytes/s), "broker:<id>:in|out", "topic:<name>:in|out",
   * "group:<id>:lag".
   */
  series: ReadonlyMap<string, readonly number[]>;
}

export function emptyHistory(windowSize = 120): History {
  return { windowSize, latest: null, previous: null, brokerRates: new Map(), partitionRates: new Map(), topicRates: new Map(), series: new Map() };
}

const ZERO: Rate = { inPerSec: 0, outPerSec: 0 };

function rate(cur: number, prev: number | undefined, seconds: number): number {
  if (prev === undefined || seconds <= 0 || cur < prev) return 0;
  return (cur - prev) / seconds;
}

/** The history after `snap`. */
export function reduceHistory(h: History, snap: ClusterSnapshot): History {
  const prev = h.latest;
  const seconds = prev ? (snap.at - prev.at) / 1000 : 0;

  const prevBrokers = new Map(prev?.brokers.filter((b) => b.alive).map((b) => [b.id, b]) ?? []);
  const brokerRates = new Map<number, Rate>();
  for (const b of snap.brokers) {
    const p = prevBrokers.get(b.id);
    brokerRates.set(b.id, b.alive && p ? { inPerSec: rate(b.bytesIn, p.bytesIn, seconds), outPerSec: rate(b.bytesOut, p.bytesOut, seconds) } : ZERO);
  }

  const prevParts = new Map(prev?.partitions.map((p) => [`${p.topic}/${p.partition}`, p]) ?? []);
  const partitionRates = new Map<string, Rate>();
  const topicRates = new Map<string, Rate>();
  for (const p of snap.partitions) {
    const key = `${p.topic}/${p.partition}`;
    const before = prevParts.get(key);
    const r = { inPerSec: rate(p.bytesIn, before?.bytesIn, seconds), outPerSec: rate(p.bytesOut, before?.bytesOut, seconds) };
    partitionRates.set(key, r);
    const t = topicRates.get(p.topic) ?? ZERO;
    topicRates.set(p.topic, { inPerSec: t.inPerSec + r.inPerSec, outPerSec: t.outPerSec + r.outPerSec });
  }

  const series = new Map(h.series);
  const push = (key: string, v: number): void => {
    const old = series.get(key) ?? [];
    const next = old.length >= h.windowSize ? old.slice(old.length - h.windowSize + 1) : old.slice();
    next.push(v);
    series.set(key, next);
  };
  let clusterIn = 0;
  let clusterOut = 0;
  for (const [id, r] of brokerRates) {
    push(`broker:${id}:in`, r.inPerSec);
    push(`broker:${id}:out`, r.outPerSec);
    clusterIn += r.inPerSec;
    clusterOut += r.outPerSec;
  }
  push('cluster:in', clusterIn);
  push('cluster:out', clusterOut);
  for (const [topic, r] of topicRates) {
    push(`topic:${topic}:in`, r.inPerSec);
    push(`topic:${topic}:out`, r.outPerSec);
  }
  for (const g of snap.groups) push(`group:${g.groupId}:lag`, g.lag);

  return { windowSize: h.windowSize, latest: snap, previous: prev, brokerRates, partitionRates, topicRates, series };
}
