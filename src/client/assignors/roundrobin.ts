// The round-robin assignor (Kafka's RoundRobinAssignor; kafkajs calls its own "RoundRobinAssigner"):
// every subscribed partition, sorted by topic then partition, goes to the next member in member-id order
// that subscribes to its topic. 6 partitions over 3 members: [0,3] [1,4] [2,5].
import { compareTopicPartitions, emptyAssignment, sortedMembers, type Assignor, type TopicPartition } from './assignor.js';

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  cooperative: false,
  assign(members, partitionsPerTopic) {
    const result = emptyAssignment(members);
    const ordered = sortedMembers(members);
    if (ordered.length === 0) return result;
    const all: TopicPartition[] = [];
    for (const [topic, count] of partitionsPerTopic) {
      for (let p = 0; p < count; p++) all.push({ topic, partition: p });
    }
    all.sort(compareTopicPartitions);
    let cursor = 0;
    for (const tp of all) {
      for (let tries = 0; tries < ordered.length; tries++) {
        const m = ordered[cursor];
        cursor = (cursor + 1) % ordered.length;
        if (m.topics.includes(tp.topic)) {
          result.get(m.memberId)!.push(tp);
          break;
        }
      }
    }
    for (const list of result.values()) list.sort(compareTopicPartitions);
    return result;
  },
};
