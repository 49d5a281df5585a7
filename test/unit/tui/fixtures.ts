// Snapshots for the TUI tests: two brokers, topic "orders" with two partitions, groups billing and audit.
import type { ClusterSnapshot } from '../../../tui/source.js';

export function snapshot(o: { at: number; bytesIn?: number; lag?: number; down?: number[]; isr?: number[] }): ClusterSnapshot {
  const down = new Set(o.down ?? []);
  const broker = (id: number) => ({
    id, address: `127.0.0.1:${9091 + id}`, admin: `127.0.0.1:${9643 + id}`, alive: !down.has(id), controller: id === 1,
    leaders: 1, partitions: 2, bytesIn: down.has(id) ? 0 : o.bytesIn ?? 0, bytesOut: 0, recordsIn: 0, recordsOut: 0,
    requestP99Ms: 1.5, cpuPercent: 12, rssBytes: 80_000_000, eventLoopDelayP99Ms: 0.4, diskFreeBytes: 5e10, openFiles: 30,
    error: down.has(id) ? 'ECONNREFUSED' : undefined,
  });
  return {
    at: o.at,
    brokers: [broker(1), broker(2)],
    partitions: [0, 1].map((p) => ({
      topic: 'orders', partition: p, leader: 1, replicas: [1, 2], isr: o.isr ?? [1, 2], logStartOffset: 0,
      logEndOffset: 100 + p, highWatermark: 100 + p, sizeBytes: 4096, bytesIn: p === 0 ? o.bytesIn ?? 0 : 0, bytesOut: 0,
    })),
    groups: [
      { groupId: 'billing', state: 'Stable', members: 2, lag: o.lag ?? 0, partitions: [{ topic: 'orders', partition: 0, committedOffset: 100 - (o.lag ?? 0), highWatermark: 100, lag: o.lag ?? 0 }] },
      { groupId: 'audit', state: 'Empty', members: 0, lag: 7, partitions: [{ topic: 'orders', partition: 1, committedOffset: 94, highWatermark: 101, lag: 7 }] },
    ],
  };
}
