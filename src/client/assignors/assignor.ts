// The shape every partition assignor has. The group leader runs one: it gets each member's subscription
// (the topics it wants and, for cooperative assignors, the partitions it owns now) and the partition
// count of every subscribed topic, and answers which partitions each member gets.
//
// An eager assignor (range, roundrobin) expects every member to give up all its partitions before a
// rebalance; a cooperative one (cooperative-sticky, KIP-429) lets members keep what does not move, and
// only hands a partition to its new owner after the old owner revoked it (a second, follow-up rebalance).

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface MemberSubscription {
  memberId: string;
  topics: string[];
  /** What the member owns now (cooperative protocols send it; eager ones send []). */
  ownedPartitions: TopicPartition[];
}

/** memberId → the partitions it gets, sorted by topic then partition. */
export type GroupAssignment = Map<string, TopicPartition[]>;

export interface Assignor {
  /** The protocol name in JoinGroup. */
  name: string;
  /** True for incremental (KIP-429) rebalancing. */
  cooperative: boolean;
  assign(members: MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment;
}

/** Orders topic partitions by topic, then partition. */
export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** Members by member id (the order every assignor uses, so every leader computes the same answer). */
export function sortedMembers(members: MemberSubscription[]): MemberSubscription[] {
  return [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
}

/** An empty assignment entry for every member. */
export function emptyAssignment(members: MemberSubscription[]): GroupAssignment {
  return new Map(members.map((m) => [m.memberId, []]));
}
