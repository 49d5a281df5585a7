// After a chaos run, with the brokers stopped: do the replicas of every partition hold the same records
// at the same offsets? Reads each replica's segment files straight from its data dir (RecordBatch v2
// back to back: BaseOffset int64 @0, BatchLength int32 @8, PartitionLeaderEpoch int32 @12, CRC uint32
// @17, LastOffsetDelta int32 @23) and compares the batches over the offsets every replica has (below
// the smallest log end, so below the high watermark once the followers have caught up). Two replicas
// diverge at an offset when the batches holding it differ in boundaries or CRC (the CRC covers the
// records). No import-time side effects (node --test loads this file too).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface BatchSpan { base: number; last: number; crc: number }

export interface ReplicaComparison {
  partitions: number;
  /** Offsets compared over all partitions (the common prefix of every replica). */
  comparedOffsets: number;
  /** Offsets at which two replicas hold different batches. */
  divergentOffsets: number;
  samples: string[];
}

async function readSpans(dir: string): Promise<BatchSpan[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
  const spans: BatchSpan[] = [];
  for (const f of files) {
    const b = await readFile(join(dir, f));
    let at = 0;
    while (at + 61 <= b.length) {
      const size = b.readInt32BE(at + 8) + 12;
      if (size < 61 || at + size > b.length) break;
      const base = Number(b.readBigInt64BE(at));
      spans.push({ base, last: base + b.readInt32BE(at + 23), crc: b.readUInt32BE(at + 17) });
      at += size;
    }
  }
  return spans;
}

/** Compares the replicas of `topic`'s partitions found in `dataDirs` (one per broker). */
export async function compareReplicas(topic: string, dataDirs: string[]): Promise<ReplicaComparison> {
  const byPartition = new Map<number, BatchSpan[][]>();
  for (const dataDir of dataDirs) {
    for (const name of await readdir(dataDir)) {
      const m = new RegExp(`^${topic.replace(/[.]/g, '\\.')}-(\\d+)$`).exec(name);
      if (!m) continue;
      const p = Number(m[1]);
      byPartition.set(p, [...(byPartition.get(p) ?? []), await readSpans(join(dataDir, name))]);
    }
  }
  const out: ReplicaComparison = { partitions: byPartition.size, comparedOffsets: 0, divergentOffsets: 0, samples: [] };
  for (const [p, replicas] of byPartition) {
    if (replicas.length < 2) continue;
    const end = Math.min(...replicas.map((r) => (r.length ? r[r.length - 1].last + 1 : 0)));
    const start = Math.max(...replicas.map((r) => (r.length ? r[0].base : 0)));
    if (end <= start) continue;
    out.comparedOffsets += end - start;
    const [first, ...rest] = replicas;
    for (const other of rest) {
      // Walk both batch lists in step over [start, end).
      let i = first.findIndex((s) => s.last >= start);
      let j = other.findIndex((s) => s.last >= start);
      while (i >= 0 && j >= 0 && i < first.length && j < other.length && first[i].base < end && other[j].base < end) {
        const a = first[i];
        const b = other[j];
        if (a.base !== b.base || a.last !== b.last || a.crc !== b.crc) {
          const from = Math.max(a.base, b.base, start);
          const to = Math.min(a.last, b.last, end - 1);
          out.divergentOffsets += Math.max(1, to - from + 1);
          if (out.samples.length < 5) out.samples.push(`p${p}: batch ${a.base}-${a.last} crc ${a.crc} vs ${b.base}-${b.last} crc ${b.crc}`);
        }
        if (a.last <= b.last) i++;
        if (b.last <= a.last) j++;
      }
    }
  }
  return out;
}
