// A group's committed offsets as kafkajs admin reads them, for tests that check what was committed.
import type { Kafka } from 'kafkajs';

/** kafkajs fetchOffsets of one topic as partition -> offset (-1: none committed). */
export async function committedOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** The sum of the committed offsets (partitions without one count 0). */
export const sumOffsets = (m: Map<number, number>): number => [...m.values()].filter((v) => v > 0).reduce((a, b) => a + b, 0);
