// The failover time of a fault, measured apart from any client library: from the fault, for each
// partition the victim led, ask a broker (the victim last) who leads it now and send that leader one
// record with acks=-1 on a fresh connection (2 s for the broker to answer), every 100 ms, until one is
// acknowledged. That first acknowledgement ends the failover: the cluster takes writes on the partition
// again. The probe's records carry the value `probe:<p>:<n>`; the verifier skips them.
// No import-time side effects (node --test loads this file too).
import { ApiKey } from '../../src/protocol/api.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import type { TestCluster } from '../helpers/cluster.js';
import { withTimeout } from '../../src/util/promise.js';
import { WireSocket } from '../helpers/wire.js';

export const PROBE_PREFIX = 'probe:';
const EVERY_MS = 100;

function probeBatch(partition: number, n: number): Buffer {
  const b = new RecordBatchBuilder();
  b.append(null, Buffer.from(`${PROBE_PREFIX}${partition}:${n}`), [], Date.now());
  return b.build();
}

/** One attempt: true when the partition's current leader acknowledged a record with acks=-1. */
async function tryOnce(cluster: TestCluster, topic: string, partition: number, victim: number, n: number): Promise<boolean> {
  const md = await cluster.metadata([topic], { avoid: victim });
  const leader = md.topics[0]?.partitions.find((p) => p.partitionIndex === partition)?.leaderId ?? -1;
  if (leader < 0 || !cluster.isUp(leader)) return false;
  const at = cluster.address(leader);
  const ws = await withTimeout(WireSocket.connect(at.port, at.host), 1000, `connecting to broker ${leader}`);
  try {
    const res = await ws.request(ApiKey.Produce, 7, {
      transactionalId: null, acks: -1, timeoutMs: 2000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: probeBatch(partition, n) }] }],
    }, 3000);
    return res.responses[0].partitionResponses[0].errorCode === 0;
  } finally {
    ws.close();
  }
}

/** ms from `since` to the first acknowledged probe of `partition`, or -1 when none within `limitMs`. */
export async function probeFailover(cluster: TestCluster, topic: string, partition: number, victim: number, since: number, limitMs: number): Promise<number> {
  for (let n = 0; Date.now() - since < limitMs; n++) {
    const started = Date.now();
    try {
      if (await tryOnce(cluster, topic, partition, victim, n)) return Date.now() - since;
    } catch {
      // No broker answered, or the leader's connection was cut: try again.
    }
    await new Promise((r) => setTimeout(r, Math.max(0, EVERY_MS - (Date.now() - started))));
  }
  return -1;
}
