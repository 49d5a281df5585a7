// The range assignor (Kafka's RangeAssignor): per topic, the members subscribed to it, sorted by member
// id, get consecutive partition ranges; with P partitions and M members each gets floor(P/M), and the
// first P mod M members one more. 6 partitions over 3 members: [0,1] [2,3] [4,5].
import { compareTopicPartitions, emptyAssignment, sortedMembers, type Assignor } from './assignor.js';

export const rangeAssignor: Assignor = {
  name: 'range',
  cooperative: false,
  assign(members, partitionsPerTopic) {
    const result = emptyAssignment(members);
    const ordered = sortedMembers(members);
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const subscribed = ordered.filter((m) => m.topics.includes(topic));
      if (subscribed.length === 0) continue;
      const base = Math.floor(count / subscribed.length);
      const extra = count % subscribed.length;
      let next = 0;
      subscribed.forEach((m, i) => {
        const n = base + (i < extra ? 1 : 0);
        for (let p = next; p < next + n; p++) result.get(m.memberId)!.push({ topic, partition: p });
        next += n;
      });
    }
    for (const list of result.values()) list.sort(compareTopicPartitions);
    return result;
  },
};
