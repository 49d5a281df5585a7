// For fake consumers in unit tests: Consumer.decoded() over a stream of records, by encoding them into
// real RecordBatch bytes (one batch per answer of `perAnswer` records of one partition) and handing
// those to the decoder, as the fetcher does with a fetch answer.
import { assignOffset } from '../../src/protocol/batch-header.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import type { ConsumedRecord, DecodedPartition, PartitionDecoder } from '../../src/client/types.js';

export async function* decodedFromRecords<T>(
  records: AsyncIterable<ConsumedRecord>, decode: PartitionDecoder<T>, perAnswer = 100,
): AsyncGenerator<DecodedPartition<T>> {
  let pending: ConsumedRecord[] = [];
  const answer = (): DecodedPartition<T> | null => {
    const first = pending[0];
    const builder = new RecordBatchBuilder({ maxBytes: Number.MAX_SAFE_INTEGER });
    for (const r of pending) builder.append(r.key, r.value, r.headers, r.timestamp);
    const bytes = builder.build();
    assignOffset(bytes, first.offset, 0);
    pending = [];
    const d = decode(bytes, first.topic, first.partition, first.offset);
    if (d.count === 0) return null;
    return { topic: first.topic, partition: first.partition, value: d.value, count: d.count, nextOffset: d.nextOffset, highWatermark: -1 };
  };
  for await (const r of records) {
    if (pending.length > 0 && (pending.length === perAnswer || r.partition !== pending[0].partition)) {
      const d = answer();
      if (d) yield d;
    }
    pending.push(r);
  }
  if (pending.length > 0) {
    const d = answer();
    if (d) yield d;
  }
}
