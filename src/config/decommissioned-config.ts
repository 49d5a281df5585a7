// The wire form of the decommissioned set: the read-only pseudo-config `decommissioned.partitions`
// (DescribeConfigs value `P:MS[:deleted],...`; AlterConfigs takes partition ids). Shared by the broker
// (src/cluster/partition-decommission.ts holds the state and its rules) and the client, which reads it.
import { MqError } from '../util/mq-error.js';

/** The pseudo-config name carrying the decommissioned set on the wire. */
export const DECOMMISSIONED_CONFIG = 'decommissioned.partitions';

/** One decommissioned partition as described on the wire. */
export interface DecommissionedPartition { partition: number; sinceMs: number; deleted: boolean }

/** Parses a described value (`P:MS[:deleted],...`) back; throws INVALID_CONFIG on anything else. */
export function parseDecommissioned(value: string | null): DecommissionedPartition[] {
  const out: DecommissionedPartition[] = [];
  for (const part of (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^(\d+)(?::(\d+)(:deleted)?)?$/.exec(part);
    if (!m || !Number.isSafeInteger(Number(m[1])) || (m[2] !== undefined && !Number.isSafeInteger(Number(m[2])))) {
      throw new MqError('INVALID_CONFIG', `${DECOMMISSIONED_CONFIG}: '${part}' is not a partition id (P or P:MS)`);
    }
    out.push({ partition: Number(m[1]), sinceMs: m[2] === undefined ? -1 : Number(m[2]), deleted: m[3] !== undefined });
  }
  return out;
}
