// Reassignments asked of a broker (AlterPartitionReassignments / ListPartitionReassignments, KIP-455):
// the broker checks each partition against the metadata store, then does what `mq reassign execute
// --etcd` does: it writes `reassignment-requests/<topic>/<p>` = {"replicas":[...]} (or {"cancel":true}),
// and the controller applies it (reassignment-requests.ts) wherever it runs. That write is the
// forwarding to the controller. The broker then waits (up to the request's timeout) until the
// controller has taken each request, so the answer says whether the move started:
//   UNKNOWN_TOPIC_OR_PARTITION    no such topic, or the partition does not exist (or was deleted)
//   INVALID_REPLICA_ASSIGNMENT    an empty list, a broker twice, a negative id, a broker not registered,
//                                 or the controller refused it (its log says why)
//   REASSIGNMENT_IN_PROGRESS      the partition is being moved already (mq does not retarget a move:
//                                 cancel it first)
//   NO_REASSIGNMENT_IN_PROGRESS   a cancel (replicas null) of a partition that is not being moved
//   REQUEST_TIMED_OUT             the controller has not taken the request within the timeout (it stays
//                                 written and is applied once a controller runs)
// The list comes from the broker's metadata cache: `reassignments/` (replica restores of lost brokers
// included, they are moves too) with each partition's current replica list.
import type { TopicRecord } from './topic-records.js';
import { sleep } from '../util/promise.js';
import type { MetadataStore } from './metadata-store.js';
import { REASSIGNMENT_REQUESTS_PREFIX, type ReassignmentRequest } from './reassignment-requests.js';
import { REASSIGNMENTS_PREFIX, type Reassignment } from './replica-restore.js';

/** One partition to move (replicas) or whose move to cancel (replicas null). */
export interface ReassignmentChange {
  topic: string;
  partition: number;
  replicas: number[] | null;
}

/** The answer for one partition: error is an error-code name (error-codes.ts), null when accepted. */
export interface ReassignmentOutcome {
  topic: string;
  partition: number;
  error: string | null;
  message: string | null;
}

/** A move in progress, as ListPartitionReassignments reports it. */
export interface OngoingReassignment {
  topic: string;
  partition: number;
  /** The current replica list (the adding replicas included). */
  replicas: number[];
  adding: number[];
  removing: number[];
}

const POLL_MS = 50;

/**
 * Checks and requests each change; resolves once the controller took them (or `timeoutMs` passed).
 * `registered` is the set of broker ids registered now.
 */
export async function requestReassignments(
  store: MetadataStore, registered: ReadonlySet<number>, changes: ReassignmentChange[], timeoutMs: number, throttleBytesPerSec?: number,
): Promise<ReassignmentOutcome[]> {
  const topics = new Map<string, TopicRecord | null>();
  const outcomes: ReassignmentOutcome[] = [];
  const written: { index: number; key: string; request: ReassignmentRequest }[] = [];
  const seen = new Set<string>();
  for (const c of changes) {
    const out: ReassignmentOutcome = { topic: c.topic, partition: c.partition, error: null, message: null };
    outcomes.push(out);
    const refuse = (error: string, message: string): void => { out.error = error; out.message = message; };
    const id = `${c.topic}/${c.partition}`;
    if (seen.has(id)) { refuse('INVALID_REQUEST', `partition ${c.topic}-${c.partition} is listed twice`); continue; }
    seen.add(id);
    if (!topics.has(c.topic)) {
      const kv = await store.get(`topics/${c.topic}`);
      topics.set(c.topic, kv ? JSON.parse(kv.value) as TopicRecord : null);
    }
    const current = topics.get(c.topic)?.replicas[c.partition];
    if (!Number.isInteger(c.partition) || !current || current.length === 0) {
      refuse('UNKNOWN_TOPIC_OR_PARTITION', `partition ${c.topic}-${c.partition} does not exist`);
      continue;
    }
    const running = await store.get(`${REASSIGNMENTS_PREFIX}${id}`);
    const pending = await store.get(`${REASSIGNMENT_REQUESTS_PREFIX}${id}`);
    if (c.replicas === null) {
      if (!running && !pending) { refuse('NO_REASSIGNMENT_IN_PROGRESS', `${c.topic}-${c.partition} is not being reassigned`); continue; }
      written.push({ index: outcomes.length - 1, key: `${REASSIGNMENT_REQUESTS_PREFIX}${id}`, request: { cancel: true } });
      continue;
    }
    const problem = replicaListProblem(c.replicas, registered);
    if (problem) { refuse('INVALID_REPLICA_ASSIGNMENT', `${c.topic}-${c.partition}: ${problem}`); continue; }
    if (running || pending) {
      refuse('REASSIGNMENT_IN_PROGRESS', `${c.topic}-${c.partition} is being reassigned already (cancel it first, or wait for it to finish)`);
      continue;
    }
    if (c.replicas.join() === current.join()) continue; // Already there: nothing to do, as Kafka answers.
    written.push({
      index: outcomes.length - 1, key: `${REASSIGNMENT_REQUESTS_PREFIX}${id}`,
      request: { replicas: [...c.replicas], ...(throttleBytesPerSec ? { throttleBytesPerSec } : {}) },
    });
  }
  for (const w of written) await store.put(w.key, JSON.stringify(w.request));
  const deadline = Date.now() + Math.max(0, timeoutMs);
  let waiting = written;
  for (;;) {
    const still: typeof written = [];
    for (const w of waiting) if (await store.get(w.key)) still.push(w);
    waiting = still;
    if (waiting.length === 0 || Date.now() >= deadline) break;
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
  for (const w of waiting) {
    outcomes[w.index].error = 'REQUEST_TIMED_OUT';
    outcomes[w.index].message = `the controller has not taken the request for ${outcomes[w.index].topic}-${outcomes[w.index].partition} yet; it stays requested`;
  }
  // A replicas request the controller took either started a move or was refused (and deleted).
  for (const w of written) {
    const o = outcomes[w.index];
    if (o.error !== null || !('replicas' in w.request)) continue;
    const started = await store.get(`${REASSIGNMENTS_PREFIX}${o.topic}/${o.partition}`);
    if (started) continue;
    const kv = await store.get(`topics/${o.topic}`);
    const now = kv ? (JSON.parse(kv.value) as TopicRecord).replicas[o.partition] : undefined;
    if (now && now.join() === w.request.replicas.join()) continue; // Started and finished already.
    o.error = 'INVALID_REPLICA_ASSIGNMENT';
    o.message = `the controller refused the reassignment of ${o.topic}-${o.partition} (its log says why)`;
  }
  return outcomes;
}

/** Why `replicas` cannot be a replica list, or null when it can. */
export function replicaListProblem(replicas: number[], registered: ReadonlySet<number>): string | null {
  if (replicas.length === 0) return 'the replica list is empty';
  if (!replicas.every((id) => Number.isInteger(id) && id >= 0)) return `broker ids must be non-negative integers (${replicas.join(',')})`;
  if (new Set(replicas).size !== replicas.length) return `the replica list names a broker twice (${replicas.join(',')})`;
  const unknown = replicas.filter((id) => !registered.has(id));
  if (unknown.length > 0) return `broker${unknown.length === 1 ? '' : 's'} ${unknown.join(',')} not registered`;
  return null;
}

/**
 * The moves in progress, in topic and partition order; `wanted` (topic -> partitions) limits the answer
 * to those partitions (null: all).
 */
export function listReassignments(
  reassignments: ReadonlyMap<string, Reassignment>, topics: ReadonlyMap<string, TopicRecord>, wanted: ReadonlyMap<string, readonly number[]> | null,
): OngoingReassignment[] {
  const out: OngoingReassignment[] = [];
  for (const [id, r] of reassignments) {
    const slash = id.lastIndexOf('/');
    const topic = id.slice(0, slash);
    const partition = Number(id.slice(slash + 1));
    if (wanted && !wanted.get(topic)?.includes(partition)) continue;
    const replicas = topics.get(topic)?.replicas[partition];
    if (!replicas) continue;
    out.push({ topic, partition, replicas: [...replicas], adding: [...r.adding], removing: [...r.removing] });
  }
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
