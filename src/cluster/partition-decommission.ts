// Partition decommission: the state and the rules, shared by both topic authorities and the controller;
// the wire form's name and parser are in src/config/decommissioned-config.ts (the client reads them too).
//
// State, in the topic record (`topics/<name>`, never in its config overrides, so `mq topics alter
// --config` cannot wipe it):
//   decommissioned: {"2": 1764120000000}   partition -> when it was decommissioned (ms since the epoch,
//                                           the clock of the broker that took the request)
//   replicas[2] = []                        once deleted: the id stays taken (`alter --partitions N` still
//                                           counts N ids) and the partition is gone from Metadata, from
//                                           `partitions/<topic>/<p>` and from every broker's disk.
// A decommissioned partition takes no new records from clients (Produce answers POLICY_VIOLATION) but
// is fetched and replicated as before. Once the topic's effective retention.ms has passed since it was
// decommissioned, the controller (embedded: the broker) deletes it; retention.ms = -1 keeps it forever.
//
// Wire form: the read-only pseudo-config `decommissioned.partitions` in DescribeConfigs, value
// `P:MS[:deleted],...` sorted by partition ("" when none). AlterConfigs sets it: a list of partition
// ids (`2,5`; `P:MS[:deleted]` entries are accepted too, so a described value can be sent back, their
// times ignored) is the new decommissioned set: ids new to it are stamped now, ids left out are
// recommissioned unless already deleted (deleted ones stay deleted whatever the list says). An
// AlterConfigs whose only key is `decommissioned.partitions` leaves the topic's config overrides as
// they are; with other keys the usual replace-all semantics apply to those.
import { MqError } from '../util/mq-error.js';
import { parseDecommissioned, type DecommissionedPartition } from '../config/decommissioned-config.js';

/** The fields of a topic record this module reads and writes. */
export interface DecommissionFields {
  replicas: number[][];
  decommissioned?: Record<string, number>;
}

/** Whether partition `p` of the record was deleted (its replica list emptied). */
export function isDeletedPartition(record: DecommissionFields, p: number): boolean {
  return p < record.replicas.length && record.replicas[p].length === 0;
}

/** When partition `p` was decommissioned, or undefined when it takes records. */
export function decommissionedSinceMs(record: DecommissionFields, p: number): number | undefined {
  return record.decommissioned?.[String(p)];
}

/** The DescribeConfigs value: `P:MS[:deleted]` by partition, comma-separated. */
export function formatDecommissioned(record: DecommissionFields): string {
  return decommissionedList(record).map((d) => `${d.partition}:${d.sinceMs}${d.deleted ? ':deleted' : ''}`).join(',');
}

export function decommissionedList(record: DecommissionFields): DecommissionedPartition[] {
  return Object.entries(record.decommissioned ?? {})
    .map(([p, sinceMs]) => ({ partition: Number(p), sinceMs, deleted: isDeletedPartition(record, Number(p)) }))
    .sort((a, b) => a.partition - b.partition);
}

/**
 * The record's new `decommissioned` field for an AlterConfigs value (see the header), checked against
 * the record: every id must be a partition of the topic, and at least one partition must stay active.
 */
export function applyDecommissionedValue(topic: string, record: DecommissionFields, value: string | null, nowMs: number): Record<string, number> {
  const wanted = new Set(parseDecommissioned(value).map((d) => d.partition));
  const next: Record<string, number> = {};
  for (const p of wanted) {
    if (p >= record.replicas.length) {
      throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic}-${p} does not exist (the topic has partitions 0-${record.replicas.length - 1})`);
    }
    next[String(p)] = decommissionedSinceMs(record, p) ?? nowMs;
  }
  for (const [p, sinceMs] of Object.entries(record.decommissioned ?? {})) {
    if (isDeletedPartition(record, Number(p))) next[p] = sinceMs;
  }
  const active = record.replicas.length - Object.keys(next).length;
  if (active < 1) {
    throw new MqError('POLICY_VIOLATION', `topic '${topic}' would have no active partition left: a topic keeps at least one partition that takes records`);
  }
  return next;
}

/** Decommissioned, not yet deleted partitions whose retention has passed at `nowMs` (none when retention.ms < 0). */
export function partitionsDueForDeletion(record: DecommissionFields, retentionMs: number, nowMs: number): number[] {
  if (retentionMs < 0) return [];
  return decommissionedList(record).filter((d) => !d.deleted && nowMs >= d.sinceMs + retentionMs).map((d) => d.partition);
}

/** The record with partitions `due` deleted (replica lists emptied; their decommission times kept). */
export function withPartitionsDeleted<T extends DecommissionFields>(record: T, due: readonly number[]): T {
  const replicas = record.replicas.map((list, p) => (due.includes(p) ? [] : list));
  return { ...record, replicas };
}
