// What `mq top` shows, read through one small interface: a TopSource yields ClusterSnapshots, one per
// refresh. Counters in a snapshot are totals since each broker started; tui/history.ts turns two
// snapshots into rates. adminSource (tui/admin-source.ts) polls the brokers' admin endpoints;
// fixtureSource replays a list (tests, demos).
import type { GroupPartitionView, PartitionView } from '../src/metrics/views.js';

export interface BrokerSnapshot {
  id: number;
  /** Kafka listener "host:port". */
  address: string;
  /** Admin endpoint "host:port", when known. */
  admin: string | null;
  /** Its admin endpoint answered this round. */
  alive: boolean;
  controller: boolean;
  leaders: number;
  partitions: number;
  bytesIn: number;
  bytesOut: number;
  recordsIn: number;
  recordsOut: number;
  requestP99Ms: number;
  cpuPercent: number;
  rssBytes: number;
  eventLoopDelayP99Ms: number;
  diskFreeBytes: number | null;
  openFiles: number | null;
  /** Why it is shown as down. */
  error?: string;
}

/** A partition as `mq top` shows it: the admin endpoint's view (src/metrics/views.ts), the fields it uses. */
export type PartitionSnapshot = Pick<PartitionView,
  'topic' | 'partition' | 'leader' | 'replicas' | 'isr' | 'logStartOffset' | 'logEndOffset' | 'highWatermark' | 'sizeBytes' | 'bytesIn' | 'bytesOut'>;

export type GroupPartitionSnapshot = GroupPartitionView;

export interface GroupSnapshot {
  groupId: string;
  state: string;
  members: number;
  lag: number;
  partitions: GroupPartitionSnapshot[];
}

export interface ClusterSnapshot {
  /** When it was taken (ms since the epoch). */
  at: number;
  brokers: BrokerSnapshot[];
  partitions: PartitionSnapshot[];
  groups: GroupSnapshot[];
}

export interface TopSource {
  snapshots(signal: AbortSignal): AsyncIterable<ClusterSnapshot>;
}

/** Replays `list` (one snapshot every `intervalMs`, 0 = as fast as consumed), then ends or, with `hold`, waits for abort. */
export function fixtureSource(list: ClusterSnapshot[], opts: { intervalMs?: number; hold?: boolean } = {}): TopSource {
  return {
    async *snapshots(signal) {
      for (let i = 0; i < list.length && !signal.aborted; i++) {
        if (i > 0 && opts.intervalMs) await pause(opts.intervalMs, signal);
        if (signal.aborted) return;
        yield list[i];
      }
      if (opts.hold) await pause(Infinity, signal);
    },
  };
}

/** Resolves after `ms` or when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const done = (): void => { if (timer) clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : null;
    signal.addEventListener('abort', done, { once: true });
  });
}
