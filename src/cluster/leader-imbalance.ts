// Leader imbalance, the controller's periodic check when auto.leader.rebalance.enable is on (Kafka's
// name): for each live broker, imbalance = partitions whose preferred leader (replicas[0]) it is but
// another broker leads / partitions whose preferred leader it is. Above
// leader.imbalance.per.broker.percentage, the controller elects the preferred leader of those partitions
// (only where preferred-leader.ts allows it: live and in the ISR). Pure, so it is unit-tested.

export interface LeaderPlacement {
  topic: string;
  partition: number;
  replicas: number[];
  /** The current leader; -1 when none. */
  leader: number;
}

export interface BrokerLeaderImbalance {
  brokerId: number;
  /** Partitions whose preferred leader this broker is. */
  preferred: number;
  /** Of those, how many another broker (or nobody) leads. */
  notLed: number;
  /** notLed / preferred, in percent. */
  percentage: number;
}

/** The imbalance of every live broker that is the preferred leader of at least one partition, by id. */
export function leaderImbalance(placements: readonly LeaderPlacement[], liveBrokerIds: Iterable<number>): BrokerLeaderImbalance[] {
  const live = new Set(liveBrokerIds);
  const counts = new Map<number, { preferred: number; notLed: number }>();
  for (const p of placements) {
    const preferred = p.replicas[0];
    if (preferred === undefined || !live.has(preferred)) continue;
    const c = counts.get(preferred) ?? { preferred: 0, notLed: 0 };
    c.preferred++;
    if (p.leader !== preferred) c.notLed++;
    counts.set(preferred, c);
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([brokerId, c]) => ({
    brokerId, preferred: c.preferred, notLed: c.notLed, percentage: (c.notLed * 100) / c.preferred,
  }));
}

/**
 * The partitions not led by their preferred leader whose preferred leader is a live broker with an
 * imbalance above `maxPercentage`, each with that broker's imbalance (for the log line).
 */
export function partitionsToElect(
  placements: readonly LeaderPlacement[], liveBrokerIds: Iterable<number>, maxPercentage: number,
): { placement: LeaderPlacement; imbalance: BrokerLeaderImbalance }[] {
  const over = new Map(leaderImbalance(placements, liveBrokerIds).filter((b) => b.percentage > maxPercentage).map((b) => [b.brokerId, b]));
  const out: { placement: LeaderPlacement; imbalance: BrokerLeaderImbalance }[] = [];
  for (const p of placements) {
    const imbalance = over.get(p.replicas[0]);
    if (imbalance && p.leader !== p.replicas[0]) out.push({ placement: p, imbalance });
  }
  return out;
}
