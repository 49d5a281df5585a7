// The cooperative-sticky assignor (KIP-429). Two steps:
//  1. A balanced, sticky target: with P partitions and M members each member gets floor(P/M) or one
//     more; members that own the most keep the larger quotas, every member keeps as many of its owned
//     partitions as its quota allows, and the rest go to the members furthest below their quota.
//  2. Cooperation: a partition whose target member differs from its current owner (still in the group)
//     is left out of this round. The owner sees it missing, revokes it and rejoins at once; in that
//     follow-up rebalance the partition is unowned and goes to its target. So a rebalance never takes a
//     partition from a member that keeps it, and a moving partition is never owned by two members.
// Quotas are computed over all members; members that subscribe to different topics still get only
// partitions of their topics (the balance is then best effort).
import {
  compareTopicPartitions, emptyAssignment, sortedMembers, type Assignor, type GroupAssignment, type TopicPartition,
} from './assignor.js';

const key = (tp: TopicPartition): string => `${tp.topic}\0${tp.partition}`;

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  cooperative: true,
  assign(members, partitionsPerTopic) {
    const ordered = sortedMembers(members);
    const result = emptyAssignment(ordered);
    if (ordered.length === 0) return result;

    const all: TopicPartition[] = [];
    for (const [topic, count] of partitionsPerTopic) {
      if (!ordered.some((m) => m.topics.includes(topic))) continue;
      for (let p = 0; p < count; p++) all.push({ topic, partition: p });
    }
    all.sort(compareTopicPartitions);
    const exists = new Set(all.map(key));

    // Current owners: the first member (in member-id order) that claims a valid partition owns it.
    const owner = new Map<string, string>();
    const owned = new Map<string, TopicPartition[]>();
    for (const m of ordered) {
      const mine: TopicPartition[] = [];
      for (const tp of [...m.ownedPartitions].sort(compareTopicPartitions)) {
        const k = key(tp);
        if (!exists.has(k) || owner.has(k) || !m.topics.includes(tp.topic)) continue;
        owner.set(k, m.memberId);
        mine.push({ topic: tp.topic, partition: tp.partition });
      }
      owned.set(m.memberId, mine);
    }

    // Quotas: the members owning the most get the floor+1 quotas.
    const base = Math.floor(all.length / ordered.length);
    let extra = all.length % ordered.length;
    const byOwned = [...ordered].sort((a, b) => owned.get(b.memberId)!.length - owned.get(a.memberId)!.length);
    const quota = new Map<string, number>();
    for (const m of byOwned) {
      quota.set(m.memberId, base + (extra > 0 ? 1 : 0));
      if (extra > 0) extra--;
    }

    // Keep owned partitions up to the quota.
    const target = new Map<string, string>();
    for (const m of ordered) {
      const keep = owned.get(m.memberId)!.slice(0, quota.get(m.memberId)!);
      for (const tp of keep) {
        target.set(key(tp), m.memberId);
        result.get(m.memberId)!.push(tp);
      }
    }
    // Hand out the rest: the eligible member with the biggest deficit, then the fewest partitions.
    for (const tp of all) {
      if (target.has(key(tp))) continue;
      let best: string | null = null;
      let bestScore = -Infinity;
      for (const m of ordered) {
        if (!m.topics.includes(tp.topic)) continue;
        const have = result.get(m.memberId)!.length;
        const score = (quota.get(m.memberId)! - have) * 1e6 - have;
        if (score > bestScore) { best = m.memberId; bestScore = score; }
      }
      if (best === null) continue;
      target.set(key(tp), best);
      result.get(best)!.push(tp);
    }

    // Cooperation: withhold partitions that still belong to another member.
    const cooperative: GroupAssignment = new Map();
    for (const [memberId, list] of result) {
      cooperative.set(memberId, list.filter((tp) => {
        const current = owner.get(key(tp));
        return current === undefined || current === memberId;
      }).sort(compareTopicPartitions));
    }
    return cooperative;
  },
};
