// Table rows and argument parsing for `mq groups list`, `describe`, `reset-offsets` and `delete-offsets`.
import type { GroupDescription, GroupListing, GroupOffsetDeletion, OffsetResetPlan, OffsetResetTarget } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { parseOffsetSpec } from './offset-spec.js';
import { parseInteger } from './parsers.js';

export const GROUP_OFFSET_HEADERS = ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG', 'MEMBER-ID', 'CLIENT-ID', 'HOST'];
export const GROUP_MEMBER_HEADERS = ['MEMBER-ID', 'CLIENT-ID', 'HOST', 'PARTITIONS'];
export const RESET_PLAN_HEADERS = ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'];
export const GROUP_LIST_HEADERS = ['GROUP', 'PROTOCOL-TYPE', 'STATE'];
export const GROUP_OFFSET_DELETION_HEADERS = ['TOPIC', 'PARTITION', 'STATUS'];

/** The states a group can be listed in (ListGroups v4), in Kafka's spelling. */
const GROUP_STATES = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable'];

const dash = (v: string | number | null): string => (v === null || v === -1 || v === '' ? '-' : String(v));

export function groupListRows(groups: GroupListing[]): string[][] {
  return groups.map((g) => [g.groupId, g.protocolType || '-', g.state || '-']);
}

/** "Empty,stable" -> ['Empty', 'Stable']; INVALID_ARGUMENT for a state groups cannot be listed in. */
export function parseGroupStates(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const state = GROUP_STATES.find((x) => x.toLowerCase() === s.toLowerCase());
    if (!state) throw new MqError('INVALID_ARGUMENT', `'${s}' is not a group state (${GROUP_STATES.join(', ')})`);
    return state;
  });
}

export function groupOffsetDeletionRows(result: GroupOffsetDeletion[]): string[][] {
  return result.map((r) => [r.topic, String(r.partition), r.error ?? 'deleted']);
}

/** The error to exit with when a partition's offset was not deleted (the first such partition), else null. */
export function failedDeletion(groupId: string, result: GroupOffsetDeletion[]): MqError | null {
  const bad = result.filter((r) => r.error !== null);
  if (bad.length === 0) return null;
  const first = bad[0];
  const hint = first.error === 'GROUP_SUBSCRIBED_TO_TOPIC' ? 'Its live members consume that topic: stop them (or change their subscription) first.' : undefined;
  return new MqError(first.error!, `group '${groupId}': ${bad.length} of ${result.length} offsets not deleted (${first.topic}-${first.partition}: ${first.error})`, { hint });
}

/** One row per partition that is committed or assigned. */
export function groupOffsetRows(d: GroupDescription): string[][] {
  return d.offsets.map((o) => [
    o.topic, String(o.partition), dash(o.committedOffset), dash(o.logEndOffset), dash(o.lag),
    dash(o.memberId), dash(o.clientId), dash(o.clientHost),
  ]);
}

/** "group g: state Stable, protocol range, 3 members" */
export function groupSummary(d: GroupDescription): string {
  const n = d.members.length;
  return `group ${d.groupId}: state ${d.state}, protocol ${d.protocol || '-'}${d.protocolType ? ` (${d.protocolType})` : ''}, ${n} member${n === 1 ? '' : 's'}`;
}

export function groupMemberRows(d: GroupDescription): string[][] {
  return d.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.assignment.map((tp) => `${tp.topic}-${tp.partition}`).join(',') || '-']);
}

export function resetPlanRows(plan: OffsetResetPlan): string[][] {
  return plan.partitions.map((p) => [p.topic, String(p.partition), dash(p.currentOffset), String(p.newOffset)]);
}

/** The one target of --to-earliest | --to-latest | --to-offset N | --to-datetime TIME | --shift-by N. */
export function resetTarget(o: { toEarliest?: boolean; toLatest?: boolean; toOffset?: string; toDatetime?: string; shiftBy?: string }): OffsetResetTarget {
  const targets: OffsetResetTarget[] = [];
  if (o.toEarliest) targets.push({ kind: 'earliest' });
  if (o.toLatest) targets.push({ kind: 'latest' });
  if (o.toOffset !== undefined) targets.push({ kind: 'offset', offset: parseInteger(o.toOffset, 0, undefined, '--to-offset') });
  if (o.toDatetime !== undefined) {
    const spec = parseOffsetSpec(`@${o.toDatetime}`);
    if (spec.kind !== 'timestamp') throw new MqError('INVALID_ARGUMENT', `--to-datetime '${o.toDatetime}' is not a time`);
    targets.push({ kind: 'datetime', timestampMs: spec.timestampMs });
  }
  if (o.shiftBy !== undefined) targets.push({ kind: 'shiftBy', n: parseInteger(o.shiftBy, Number.MIN_SAFE_INTEGER, undefined, '--shift-by') });
  if (targets.length !== 1) {
    throw new MqError('INVALID_ARGUMENT', 'give exactly one of --to-earliest, --to-latest, --to-offset N, --to-datetime TIME, --shift-by N');
  }
  return targets[0];
}
