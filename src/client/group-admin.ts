// Consumer-group administration: list (ListGroups at every broker, as kafkajs and librdkafka do, since
// each broker lists only the groups it coordinates), describe (DescribeGroups + OffsetFetch at the
// coordinator, log end offsets by ListOffsets, lag = log end - committed), reset offsets (a plan from
// ListOffsets and the committed offsets, applied with a standalone OffsetCommit: generation -1, member
// "", which the coordinator accepts only while the group has no members), delete (DeleteGroups) and
// delete offsets (OffsetDelete: refused per partition while live members subscribe to the topic).
import { ApiKey } from '../protocol/api.js';
import { decodeConsumerProtocolAssignment } from '../protocol/messages/consumer-protocol.js';
import type { DeleteGroupsResponse } from '../protocol/messages/delete-groups.js';
import type { DescribeGroupsResponse } from '../protocol/messages/describe-groups.js';
import { errorInfo } from '../protocol/error-codes.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../protocol/messages/list-groups.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../protocol/messages/offset-delete.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';
import { logDropped } from './dropped-error.js';
import { commitOffsets, fetchCommittedOffsets, findCoordinator } from './group-requests.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, partitionKey } from './list-offsets.js';
import { topicError } from './topic-error.js';
import type {
  GroupAdmin, GroupDescription, GroupListing, GroupMemberDescription, GroupOffsetDeletion, GroupOffsetDescription, OffsetResetPlan,
  OffsetResetTarget, TopicPartition,
} from './types.js';

const tpOrder = (a: TopicPartition, b: TopicPartition): number => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);

export class GroupAdminClient implements GroupAdmin {
  constructor(private readonly cluster: Cluster) {}

  async listGroups(opts: { states?: string[] } = {}): Promise<GroupListing[]> {
    const states = opts.states ?? [];
    await this.cluster.retry(() => this.cluster.refreshMetadata([]));
    const body: ListGroupsRequest = { statesFilter: states };
    const answers = await Promise.all([...this.cluster.brokers.keys()].map(async (nodeId) => {
      const res = await this.cluster.retry(() => this.cluster.request<ListGroupsResponse>(nodeId, ApiKey.ListGroups, body));
      if (res.errorCode !== 0) throw this.cluster.error(res.errorCode, `list groups at broker ${nodeId}`);
      return res.groups;
    }));
    const seen = new Map<string, GroupListing>();
    for (const g of answers.flat()) seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState });
    // A broker below ListGroups v4 ignores the filter: apply it here too (its groups have no state).
    const wanted = new Set(states.map((x) => x.toLowerCase()));
    return [...seen.values()]
      .filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()))
      .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const coordinator = await findCoordinator(this.cluster, groupId);
    const [res, committed] = await Promise.all([
      this.cluster.retry(() => this.cluster.request<DescribeGroupsResponse>(coordinator, ApiKey.DescribeGroups, { groups: [groupId] })),
      this.cluster.retry(() => fetchCommittedOffsets(this.cluster, coordinator, groupId, null)),
    ]);
    const g = res.groups.find((x) => x.groupId === groupId);
    if (!g) throw new MqError('UNKNOWN_SERVER_ERROR', `the coordinator did not describe group '${groupId}'`);
    if (g.errorCode !== 0) throw this.cluster.error(g.errorCode, `describe group '${groupId}'`);
    if ((g.groupState === 'Dead' || g.groupState === '') && g.members.length === 0 && committed.size === 0) throw groupNotFound(groupId);

    const members: GroupMemberDescription[] = g.members.map((m) => {
      let assignment: TopicPartition[] = [];
      if (g.protocolType === 'consumer' && m.memberAssignment.length > 0) {
        try {
          assignment = decodeConsumerProtocolAssignment(m.memberAssignment).assignedPartitions
            .flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition }))).sort(tpOrder);
        } catch (err) {
          // Not the consumer protocol after all: show the member without partitions.
          logDropped(this.cluster.logger, 'describe group: a member assignment is not the consumer protocol; shown without partitions', err, { group: groupId, member: m.memberId });
        }
      }
      return { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment };
    }).sort((a, b) => (a.memberId < b.memberId ? -1 : 1));

    const owner = new Map<string, GroupMemberDescription>();
    for (const m of members) for (const tp of m.assignment) owner.set(partitionKey(tp.topic, tp.partition), m);
    const partitions = new Map<string, TopicPartition>();
    for (const k of committed.keys()) {
      const [topic, p] = k.split('\0');
      partitions.set(k, { topic, partition: Number(p) });
    }
    for (const m of members) for (const tp of m.assignment) partitions.set(partitionKey(tp.topic, tp.partition), tp);
    // Every partition of those topics, so a partition nobody committed yet shows up too.
    const topics = [...new Set([...partitions.values()].map((tp) => tp.topic))];
    if (topics.length > 0) await this.cluster.retry(() => this.cluster.refreshMetadata(topics, false));
    for (const topic of topics) {
      for (const p of this.cluster.topic(topic)?.partitions ?? []) partitions.set(partitionKey(topic, p.partition), { topic, partition: p.partition });
    }
    const list = [...partitions.values()].sort(tpOrder);
    const ends = await this.logEndOffsets(list);
    const offsets: GroupOffsetDescription[] = list.map((tp) => {
      const k = partitionKey(tp.topic, tp.partition);
      const c = committed.get(k) ?? -1;
      const end = ends.get(k) ?? -1;
      const m = owner.get(k);
      return {
        ...tp, committedOffset: c, logEndOffset: end, lag: c >= 0 && end >= 0 ? Math.max(0, end - c) : null,
        memberId: m?.memberId ?? null, clientId: m?.clientId ?? null, clientHost: m?.clientHost ?? null,
      };
    });
    return { groupId, state: g.groupState, protocolType: g.protocolType, protocol: g.protocolData, members, offsets };
  }

  async resetGroupOffsets(opts: { groupId: string; topic: string; to: OffsetResetTarget; execute: boolean }): Promise<OffsetResetPlan> {
    const { groupId, topic, to } = opts;
    const coordinator = await findCoordinator(this.cluster, groupId);
    const res = await this.cluster.retry(() => this.cluster.request<DescribeGroupsResponse>(coordinator, ApiKey.DescribeGroups, { groups: [groupId] }));
    const g = res.groups.find((x) => x.groupId === groupId);
    if (g && g.members.length > 0) {
      throw new MqError('NON_EMPTY_GROUP', `group '${groupId}' has ${g.members.length} live member${g.members.length === 1 ? '' : 's'} (state ${g.groupState}); offsets can only be reset while it has none`, {
        hint: `Stop its consumers first; \`mq groups describe ${groupId}\` shows them.`,
      });
    }
    const meta = await this.cluster.retry(() => this.cluster.refreshMetadata([topic], false));
    const t = meta.topics.find((x) => x.name === topic);
    if (!t || t.errorCode !== 0 || t.partitions.length === 0) throw topicError(t?.errorCode || 3, topic);
    const tps = t.partitions.map((p) => ({ topic, partition: p.partitionIndex })).sort(tpOrder);
    const committed = await this.cluster.retry(() => fetchCommittedOffsets(this.cluster, coordinator, groupId, tps));
    const q = (timestamp: number) => tps.map((tp) => ({ ...tp, timestamp }));
    const [lo, hi, byTime] = await Promise.all([
      listOffsets(this.cluster, q(EARLIEST_TIMESTAMP)),
      listOffsets(this.cluster, q(LATEST_TIMESTAMP)),
      to.kind === 'datetime' ? listOffsets(this.cluster, q(to.timestampMs)) : Promise.resolve(new Map<string, { offset: number }>()),
    ]);
    const partitions = tps.map((tp) => {
      const k = partitionKey(tp.topic, tp.partition);
      const start = lo.get(k)!.offset;
      const end = hi.get(k)!.offset;
      const current = committed.get(k) ?? -1;
      let target: number;
      switch (to.kind) {
        case 'earliest': target = start; break;
        case 'latest': target = end; break;
        case 'offset': target = to.offset; break;
        case 'datetime': {
          const found = byTime.get(k)!.offset;
          target = found >= 0 ? found : end;
          break;
        }
        case 'shiftBy': target = (current >= 0 ? current : start) + to.n; break;
      }
      // As Kafka's tool does, a target outside the log is clamped to it.
      return { ...tp, currentOffset: current, newOffset: Math.min(end, Math.max(start, target)) };
    });
    if (opts.execute) {
      await this.cluster.retry(() => commitOffsets(this.cluster, coordinator, groupId, -1, '', partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.newOffset }))));
    }
    return { groupId, executed: opts.execute, partitions };
  }

  async deleteGroup(groupId: string): Promise<void> {
    const coordinator = await findCoordinator(this.cluster, groupId);
    const res = await this.cluster.retry(() => this.cluster.request<DeleteGroupsResponse>(coordinator, ApiKey.DeleteGroups, { groupsNames: [groupId] }));
    const r = res.results.find((x) => x.groupId === groupId);
    if (!r) throw new MqError('UNKNOWN_SERVER_ERROR', `the coordinator did not answer for group '${groupId}'`);
    if (r.errorCode === 69) throw groupNotFound(groupId);
    if (r.errorCode === 68) {
      throw new MqError('NON_EMPTY_GROUP', `group '${groupId}' still has members`, { hint: 'Stop its consumers first.' });
    }
    if (r.errorCode !== 0) throw this.cluster.error(r.errorCode, `delete group '${groupId}'`);
  }

  async deleteGroupOffsets(opts: { groupId: string; topic: string; partitions?: number[] }): Promise<GroupOffsetDeletion[]> {
    const { groupId, topic } = opts;
    let partitions = opts.partitions;
    if (partitions === undefined) {
      const meta = await this.cluster.retry(() => this.cluster.refreshMetadata([topic], false));
      const t = meta.topics.find((x) => x.name === topic);
      if (!t || t.errorCode !== 0 || t.partitions.length === 0) throw topicError(t?.errorCode || 3, topic);
      partitions = t.partitions.map((p) => p.partitionIndex);
    }
    const sorted = [...new Set(partitions)].sort((a, b) => a - b);
    const body: OffsetDeleteRequest = { groupId, topics: [{ name: topic, partitions: sorted.map((partitionIndex) => ({ partitionIndex })) }] };
    const res = await this.cluster.retry(async () => {
      const coordinator = await findCoordinator(this.cluster, groupId);
      const r = await this.cluster.request<OffsetDeleteResponse>(coordinator, ApiKey.OffsetDelete, body, { purpose: 'group' });
      // NOT_COORDINATOR and friends are retriable: look the coordinator up again.
      if (r.errorCode !== 0 && errorInfo(r.errorCode).retriable) throw this.cluster.error(r.errorCode, `delete offsets of group '${groupId}'`);
      return r;
    });
    if (res.errorCode === 69) throw groupNotFound(groupId);
    if (res.errorCode === 68) {
      throw new MqError('NON_EMPTY_GROUP', `group '${groupId}' has live members and is not a consumer group`, { hint: 'Stop its members first.' });
    }
    if (res.errorCode !== 0) throw this.cluster.error(res.errorCode, `delete offsets of group '${groupId}'`);
    return res.topics.flatMap((t) => t.partitions.map((p) => ({
      topic: t.name, partition: p.partitionIndex, error: p.errorCode === 0 ? null : errorInfo(p.errorCode).name,
    }))).sort(tpOrder);
  }

  private async logEndOffsets(list: TopicPartition[]): Promise<Map<string, number>> {
    const topics = [...new Set(list.map((tp) => tp.topic))];
    if (topics.length === 0) return new Map();
    await this.cluster.retry(() => this.cluster.refreshMetadata(topics, false));
    const known = list.filter((tp) => this.cluster.leaderFor(tp.topic, tp.partition) >= 0);
    if (known.length === 0) return new Map();
    const answers = await listOffsets(this.cluster, known.map((tp) => ({ ...tp, timestamp: LATEST_TIMESTAMP })));
    return new Map([...answers].map(([k, a]) => [k, a.offset]));
  }
}

function groupNotFound(groupId: string): MqError {
  return new MqError('GROUP_ID_NOT_FOUND', `group '${groupId}' does not exist`, { hint: 'List groups with `mq groups list`.' });
}
