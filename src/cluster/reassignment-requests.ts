// Reassignment requests (issue 8): `mq reassign execute` writes `reassignment-requests/<topic>/<p>` =
// {"replicas":[...]} and `mq reassign cancel` writes {"cancel":true}. While this broker is controller it
// watches that prefix and turns each request into the reassignment record the replica restore already
// drives (replica-restore.ts, `reassignments/<topic>/<p>` = {target, adding, removing}):
//   replicas  adding = target - current, removing = current - target; the topic's replica list gains
//             the adding brokers (appended) in the same transaction as the record. The controller's
//             "complete" step finishes it once every adding broker is in the ISR.
//   cancel    a reassignment not complete yet goes back: replica list = current minus adding, record
//             deleted, the adding brokers leave the ISR (if one of them leads, the first original
//             replica in the ISR takes over with a new leader epoch). Without a record it is a no-op.
//   throttle  {"throttle": bytesPerSec | null} (`mq reassign throttle`) sets or removes the running
//             record's `throttleBytesPerSec`; without a record it is a no-op. A `replicas` request may
//             carry `throttleBytesPerSec` too (`execute --throttle`); it is copied into the new record,
//             which is also marked `requested` (so its end is logged as "reassignment finished").
// Each request is applied with its own transaction that compares the controller fence, the topic
// record, the reassignment record, the partition state and the request itself (a newer request for the
// same partition is never deleted unread), then deleted. A request that cannot apply (unknown topic,
// a broker not registered, a reassignment already running) is logged and deleted.
// requestThrottle() writes the throttle requests (for `mq reassign throttle --etcd` and for a broker
// whose follower.replication.throttled.rate is altered); reassignment-admin.ts writes the others for a
// broker asked through AlterPartitionReassignments.
import type { PartitionState, TopicRecord } from './topic-records.js';
import { CoalescingRun } from '../util/coalescing-run.js';
import type { Logger } from '../util/logger.js';
import type { ControllerElection } from './controller-election.js';
import type { MetadataCache } from './metadata-cache.js';
import type { MetadataStore, StoreOp } from './metadata-store.js';
import { REASSIGNMENTS_PREFIX, type Reassignment } from './replica-restore.js';

export const REASSIGNMENT_REQUESTS_PREFIX = 'reassignment-requests/';

export type ReassignmentRequest =
  | { replicas: number[]; throttleBytesPerSec?: number }
  | { cancel: true }
  | { throttle: number | null };

/** How soon requests are read again after a transaction lost to another write. */
const RETRY_MS = 300;

export class ReassignmentRequests {
  private watching: AbortController | null = null;
  private readonly rounds: CoalescingRun;
  private retryTimer: NodeJS.Timeout | null = null;

  /** `applied` runs after each record written or deleted (the controller re-reads `reassignments/`). */
  constructor(
    private readonly store: MetadataStore,
    private readonly election: ControllerElection,
    private readonly cache: MetadataCache,
    private readonly logger: Logger,
    private readonly applied: () => void,
  ) {
    this.rounds = new CoalescingRun(async () => { if (!await this.applyAll()) this.retrySoon(); }, () => this.election.isController, (err) => {
      this.logger.warn('reassignment requests failed; retrying', { error: (err as Error).message });
      this.retrySoon();
    });
    election.on('elected', () => this.start());
    election.on('deposed', () => this.stop());
  }

  private start(): void {
    this.stop();
    const watching = new AbortController();
    this.watching = watching;
    void (async () => {
      while (!watching.signal.aborted && this.election.isController) {
        try {
          const events = this.store.watch(REASSIGNMENT_REQUESTS_PREFIX, watching.signal)[Symbol.asyncIterator]();
          this.schedule();
          for (;;) {
            const r = await events.next();
            if (r.done) break;
            if (r.value.type === 'put') this.schedule();
          }
        } catch (err) {
          if (watching.signal.aborted) return;
          this.logger.warn('reassignment request watch failed; watching again', { error: (err as Error).message });
        }
        if (!watching.signal.aborted) await new Promise((r) => setTimeout(r, 500).unref());
      }
    })();
  }

  private stop(): void {
    this.watching?.abort();
    this.watching = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Applies every pending request now, or once more after the running round. */
  private schedule(): void {
    this.rounds.schedule();
  }

  private retrySoon(): void {
    if (this.retryTimer || !this.election.isController) return;
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.schedule(); }, RETRY_MS);
    this.retryTimer.unref();
  }

  /** False when some transaction lost (try again later). */
  private async applyAll(): Promise<boolean> {
    let ok = true;
    for (const kv of await this.store.range(REASSIGNMENT_REQUESTS_PREFIX)) {
      if (!this.election.isController) return true;
      const id = kv.key.slice(REASSIGNMENT_REQUESTS_PREFIX.length);
      const slash = id.lastIndexOf('/');
      const topic = id.slice(0, slash);
      const partition = Number(id.slice(slash + 1));
      let request: ReassignmentRequest;
      try {
        request = JSON.parse(kv.value) as ReassignmentRequest;
      } catch {
        request = { replicas: [] };
      }
      const requestCompare = { key: kv.key, version: kv.version };
      if (!await this.applyOne(topic, partition, request, requestCompare)) ok = false;
    }
    return ok;
  }

  private async applyOne(topic: string, partition: number, request: ReassignmentRequest, requestCompare: { key: string; version: number }): Promise<boolean> {
    const fence = this.election.fence();
    if (!fence) return true;
    const drop = async (why: string): Promise<boolean> => {
      this.logger.warn('reassignment request refused', { topic, partition, reason: why });
      return this.store.txn([fence, requestCompare], [{ delete: requestCompare.key }]);
    };
    const topicKv = await this.store.get(`topics/${topic}`);
    if (!topicKv) return drop(`topic '${topic}' does not exist`);
    const record = JSON.parse(topicKv.value) as TopicRecord;
    const current = record.replicas[partition];
    // A decommissioned partition that was deleted keeps its id with an empty replica list.
    if (!Number.isInteger(partition) || !current || current.length === 0) return drop(`partition ${topic}-${partition} does not exist`);
    const recordKey = `${REASSIGNMENTS_PREFIX}${topic}/${partition}`;
    const running = await this.store.get(recordKey);
    const compares = [fence, requestCompare, { key: `topics/${topic}`, version: topicKv.version }, { key: recordKey, version: running?.version ?? 0 }];
    const replicasOp = (list: number[]): StoreOp => {
      const replicas = record.replicas.map((l, i) => (i === partition ? list : l));
      return { put: { key: `topics/${topic}`, value: JSON.stringify({ ...record, replicas }) } };
    };

    if ('cancel' in request && request.cancel === true) {
      if (!running) return this.store.txn([fence, requestCompare], [{ delete: requestCompare.key }]);
      const r = JSON.parse(running.value) as Reassignment;
      const original = current.filter((id) => !r.adding.includes(id));
      const stateKv = await this.store.get(`partitions/${topic}/${partition}`);
      const ops: StoreOp[] = [replicasOp(original), { delete: recordKey }, { delete: requestCompare.key }];
      let leaderFrom = -1;
      let next: PartitionState | null = null;
      if (stateKv) {
        const state = JSON.parse(stateKv.value) as PartitionState;
        const isr = state.isr.filter((id) => !r.adding.includes(id));
        next = { ...state, isr };
        if (r.adding.includes(state.leader)) {
          const leader = original.find((id) => isr.includes(id) && this.cache.brokers.has(id));
          if (leader === undefined) return drop(`cannot cancel: leader ${state.leader} is an added replica and no original replica is in the ISR`);
          leaderFrom = state.leader;
          next = { leader, leaderEpoch: state.leaderEpoch + 1, isr };
        }
        compares.push({ key: stateKv.key, version: stateKv.version });
        ops.push({ put: { key: stateKv.key, value: JSON.stringify(next) } });
      }
      if (!await this.store.txn(compares, ops)) return false;
      this.logger.info('reassignment cancelled', { topic, partition, replicas: original.join(','), dropped: r.adding.join(',') });
      if (next && leaderFrom !== -1) {
        this.logger.info('partition leader elected', { topic, partition, from: leaderFrom, to: next.leader, leaderEpoch: next.leaderEpoch, isr: next.isr.join(','), reason: 'reassignment cancelled' });
      }
      this.applied();
      return true;
    }

    if ('throttle' in request) {
      if (!running) return this.store.txn([fence, requestCompare], [{ delete: requestCompare.key }]);
      const r = JSON.parse(running.value) as Reassignment;
      const next: Reassignment = { ...r };
      const rate = request.throttle;
      if (typeof rate === 'number' && rate > 0 && Number.isFinite(rate)) next.throttleBytesPerSec = Math.round(rate);
      else delete next.throttleBytesPerSec;
      if (!await this.store.txn([fence, requestCompare, { key: recordKey, version: running.version }], [
        { put: { key: recordKey, value: JSON.stringify(next) } }, { delete: requestCompare.key },
      ])) return false;
      this.logger.info('reassignment throttle changed', { topic, partition, throttleBytesPerSec: next.throttleBytesPerSec ?? 'none' });
      this.applied();
      return true;
    }

    const target = 'replicas' in request && Array.isArray(request.replicas) ? request.replicas : [];
    if (target.length === 0 || new Set(target).size !== target.length || !target.every((id) => Number.isInteger(id))) {
      return drop('the request needs a non-empty list of distinct broker ids');
    }
    const unknown = target.filter((id) => !this.cache.brokers.has(id));
    if (unknown.length > 0) return drop(`broker${unknown.length === 1 ? '' : 's'} ${unknown.join(',')} not registered`);
    if (running) return drop('a reassignment of this partition is already in progress (cancel it first)');
    if (target.join() === current.join()) return this.store.txn([fence, requestCompare], [{ delete: requestCompare.key }]);
    const reassignment: Reassignment = {
      target: [...target],
      adding: target.filter((id) => !current.includes(id)),
      removing: current.filter((id) => !target.includes(id)),
      requested: true,
    };
    const throttle = 'throttleBytesPerSec' in request ? request.throttleBytesPerSec : undefined;
    if (typeof throttle === 'number' && throttle > 0 && Number.isFinite(throttle)) reassignment.throttleBytesPerSec = Math.round(throttle);
    const ops: StoreOp[] = [
      replicasOp([...current, ...reassignment.adding]),
      { put: { key: recordKey, value: JSON.stringify(reassignment) } },
      { delete: requestCompare.key },
    ];
    if (!await this.store.txn(compares, ops)) return false;
    this.logger.info('reassignment started', {
      topic, partition, replicas: [...current, ...reassignment.adding].join(','), adding: reassignment.adding.join(','), removing: reassignment.removing.join(','),
      ...(reassignment.throttleBytesPerSec ? { throttleBytesPerSec: reassignment.throttleBytesPerSec } : {}),
    });
    this.applied();
    return true;
  }
}

/** How often a throttle request that found another request pending for its partition tries again. */
const THROTTLE_RETRY_MS = 200;
const THROTTLE_ATTEMPTS = 25;

/**
 * Sets (bytes/s) or removes (null) the throttle of every reassignment in progress and of the requests
 * not applied yet: pending `replicas` requests are rewritten in place, running moves get a `throttle`
 * request (once no other request is pending for the partition). `mq reassign throttle --etcd` and a
 * broker altering its `follower.replication.throttled.rate` both come here. Returns how many partitions
 * it changed.
 */
export async function requestThrottle(store: MetadataStore, throttleBytesPerSec: number | null): Promise<number> {
  const running = (await store.range(REASSIGNMENTS_PREFIX)).map((kv) => kv.key.slice(REASSIGNMENTS_PREFIX.length));
  let changed = 0;
  for (const kv of await store.range(REASSIGNMENT_REQUESTS_PREFIX)) {
    const req = JSON.parse(kv.value) as { replicas?: number[]; throttleBytesPerSec?: number };
    if (!Array.isArray(req.replicas)) continue;
    const next = { replicas: req.replicas, ...(throttleBytesPerSec ? { throttleBytesPerSec } : {}) };
    if (await store.txn([{ key: kv.key, version: kv.version }], [{ put: { key: kv.key, value: JSON.stringify(next) } }])) changed++;
  }
  for (const id of running) {
    const key = `${REASSIGNMENT_REQUESTS_PREFIX}${id}`;
    const value = JSON.stringify({ throttle: throttleBytesPerSec });
    for (let attempt = 0; attempt < THROTTLE_ATTEMPTS; attempt++) {
      if (await store.txn([{ key, version: 0 }], [{ put: { key, value } }])) { changed++; break; }
      await new Promise((r) => setTimeout(r, THROTTLE_RETRY_MS));
    }
  }
  return changed;
}
