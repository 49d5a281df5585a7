// After a chaos run, with the brokers stopped: where did the records read back twice come from? Reads one
// replica's segment files (decodeRecordBatches) and, for every value stored more than once, compares the
// batches of its copies: the same ProducerId, epoch and BaseSequence means the broker wrote one producer
// batch twice (its deduplication failed: this must be 0 for an idempotent producer); anything else is a
// client that sent the records again as new records (a new sequence, another producer id, or none), which
// no broker can tell from new data — kafkajs 2.2.4 does this when a partition's leader moves between the
// attempts of one send (it re-sends records it had been answered for, under the next sequence).
// No import-time side effects (node --test loads this file too).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';

export interface DuplicateSources {
  /** Extra copies stored under the producer sequence of an earlier copy (the broker's fault). */
  sameSequence: number;
  /** Extra copies the client sent again as new records. */
  resent: number;
  samples: string[];
}

/** Classifies the duplicate values of `topic`'s partitions in `dataDir` (one replica). */
export async function duplicateSources(topic: string, dataDir: string): Promise<DuplicateSources> {
  const out: DuplicateSources = { sameSequence: 0, resent: 0, samples: [] };
  for (const name of await readdir(dataDir)) {
    if (!new RegExp(`^${topic.replace(/[.]/g, '\\.')}-(\\d+)$`).test(name)) continue;
    const first = new Map<string, { batch: string; offset: number }>();
    for (const f of (await readdir(join(dataDir, name))).filter((n) => n.endsWith('.log')).sort()) {
      for (const b of decodeRecordBatches(await readFile(join(dataDir, name, f)))) {
        if (b.isControl) continue;
        const batch = b.producerId < 0n ? 'none' : `${b.producerId}/${b.producerEpoch}/${b.baseSequence}/${b.lastOffsetDelta}`;
        for (const r of b.records) {
          const v = r.value?.toString('latin1') ?? '';
          const seen = first.get(v);
          if (seen === undefined) { first.set(v, { batch, offset: r.offset }); continue; }
          if (seen.batch === batch && batch !== 'none') out.sameSequence += 1;
          else out.resent += 1;
          if (out.samples.length < 5) out.samples.push(`${name} offsets ${seen.offset} and ${r.offset}: producer/epoch/sequence/delta ${seen.batch} then ${batch}`);
        }
      }
    }
  }
  return out;
}
