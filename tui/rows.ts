// The tables of `mq top` as plain strings, computed from a History: the Ink views, the --once output
// and the charts all show these, so what a script reads is what a person sees.
import { formatBytes } from '../src/util/units.js';
import type { History } from './history.js';
import { sparkline } from './sparkline.js';

export interface Table {
  headers: string[];
  rows: string[][];
  /** Per row: a key to drill into (topic name or group id), when the row has one. */
  keys: (string | null)[];
  /** Per row: draw it as a warning (broker down, under-replicated, lagging). */
  warn: boolean[];
}

const SPARK_WIDTH = 16;
const rateText = (bytesPerSec: number): string => `${formatBytes(Math.round(bytesPerSec))}/s`;
const ms = (v: number): string => (v >= 100 ? `${Math.round(v)} ms` : `${Number(v.toFixed(2))} ms`);
const list = (ids: number[]): string => ids.join(',');

export function brokerTable(h: History): Table {
  const t: Table = { headers: ['ID', 'ADDRESS', 'STATUS', 'CTRL', 'LEADERS', 'PARTS', 'IN', 'OUT', 'P99', 'CPU', 'RSS', 'LOOP P99', 'DISK FREE', 'IN TREND'], rows: [], keys: [], warn: [] };
  for (const b of h.latest?.brokers ?? []) {
    const r = h.brokerRates.get(b.id);
    t.rows.push(b.alive
      ? [String(b.id), b.address, 'up', b.controller ? '*' : '', String(b.leaders), String(b.partitions), rateText(r?.inPerSec ?? 0), rateText(r?.outPerSec ?? 0),
        ms(b.requestP99Ms), `${b.cpuPercent.toFixed(0)}%`, formatBytes(b.rssBytes), ms(b.eventLoopDelayP99Ms),
        b.diskFreeBytes === null ? '-' : formatBytes(b.diskFreeBytes), sparkline(h.series.get(`broker:${b.id}:in`) ?? [], SPARK_WIDTH)]
      : [String(b.id), b.address, b.error ? `DOWN (${b.error})` : 'DOWN', '', '-', '-', '-', '-', '-', '-', '-', '-', '-', '']);
    t.keys.push(null);
    t.warn.push(!b.alive);
  }
  return t;
}

export function topicTable(h: History): Table {
  const t: Table = { headers: ['TOPIC', 'PARTS', 'UNDER-REPL', 'LOG END', 'IN', 'OUT', 'IN TREND'], rows: [], keys: [], warn: [] };
  const byTopic = new Map<string, { parts: number; urp: number; logEnd: number }>();
  for (const p of h.latest?.partitions ?? []) {
    const e = byTopic.get(p.topic) ?? { parts: 0, urp: 0, logEnd: 0 };
    e.parts++;
    if (p.isr.length < p.replicas.length) e.urp++;
    e.logEnd += p.logEndOffset;
    byTopic.set(p.topic, e);
  }
  for (const [topic, e] of [...byTopic].sort(([a], [b]) => a.localeCompare(b))) {
    const r = h.topicRates.get(topic);
    t.rows.push([topic, String(e.parts), String(e.urp), String(e.logEnd), rateText(r?.inPerSec ?? 0), rateText(r?.outPerSec ?? 0), sparkline(h.series.get(`topic:${topic}:in`) ?? [], SPARK_WIDTH)]);
    t.keys.push(topic);
    t.warn.push(e.urp > 0);
  }
  return t;
}

/** One topic's partitions; replicas missing from the ISR are listed under LAGGING. */
export function partitionTable(h: History, topic: string): Table {
  const t: Table = { headers: ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LAGGING', 'LOG END', 'HIGH WATERMARK', 'SIZE', 'IN', 'OUT'], rows: [], keys: [], warn: [] };
  for (const p of (h.latest?.partitions ?? []).filter((x) => x.topic === topic).sort((a, b) => a.partition - b.partition)) {
    const r = h.partitionRates.get(`${p.topic}/${p.partition}`);
    const lagging = p.replicas.filter((id) => !p.isr.includes(id));
    t.rows.push([String(p.partition), p.leader < 0 ? 'none' : String(p.leader), list(p.replicas), list(p.isr), lagging.length ? `${list(lagging)} UNDER-REPLICATED` : '',
      String(p.logEndOffset), String(p.highWatermark), formatBytes(p.sizeBytes), rateText(r?.inPerSec ?? 0), rateText(r?.outPerSec ?? 0)]);
    t.keys.push(null);
    t.warn.push(lagging.length > 0);
  }
  return t;
}

export function groupTable(h: History): Table {
  const t: Table = { headers: ['GROUP', 'STATE', 'MEMBERS', 'LAG', 'LAG TREND'], rows: [], keys: [], warn: [] };
  for (const g of h.latest?.groups ?? []) {
    t.rows.push([g.groupId, g.state, String(g.members), String(g.lag), sparkline(h.series.get(`group:${g.groupId}:lag`) ?? [], SPARK_WIDTH)]);
    t.keys.push(g.groupId);
    t.warn.push(false);
  }
  return t;
}

export function groupPartitionTable(h: History, groupId: string): Table {
  const t: Table = { headers: ['TOPIC', 'PARTITION', 'COMMITTED', 'HIGH WATERMARK', 'LAG'], rows: [], keys: [], warn: [] };
  const g = h.latest?.groups.find((x) => x.groupId === groupId);
  for (const p of g?.partitions ?? []) {
    t.rows.push([p.topic, String(p.partition), String(p.committedOffset), String(p.highWatermark), String(p.lag)]);
    t.keys.push(null);
    t.warn.push(p.lag > 0);
  }
  return t;
}

/** Rows whose cells contain `filter` (case-insensitive); the empty filter keeps all. */
export function filterTable(t: Table, filter: string): Table {
  if (!filter) return t;
  const f = filter.toLowerCase();
  const keep = t.rows.map((r) => r.some((c) => c.toLowerCase().includes(f)));
  return {
    headers: t.headers,
    rows: t.rows.filter((_, i) => keep[i]),
    keys: t.keys.filter((_, i) => keep[i]),
    warn: t.warn.filter((_, i) => keep[i]),
  };
}
