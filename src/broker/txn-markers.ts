// Writing transaction markers, for the transaction coordinator (src/transaction/marker-writer.ts) and for
// WriteTxnMarkers from another broker's coordinator: a partition this broker leads gets the control batch
// appended (Partition.appendMarker) and acknowledged as acks=all (min.insync.replicas checked first, then
// the high watermark waited for); the partitions other brokers lead go to those leaders in one
// WriteTxnMarkers request each, over the inter-broker listener (TLS and SASL as replication dials it),
// on a connection kept per broker. A marker written twice is harmless (the second finds no open
// transaction of its producer), so the coordinator may retry anything that did not answer 0.
import { Connection } from '../client/connection.js';
import type { ClientSecurity } from '../client/security-options.js';
import { ApiKey } from '../protocol/api.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../protocol/messages/write-txn-markers.js';
import type { MarkerResult, MarkerWriter, TxnMarkers } from '../transaction/marker-writer.js';
import { errorCodeFor } from './error-code-of.js';
import type { BrokerState } from './request-context.js';

/** How long a marker waits for the ISR before the coordinator is told to retry. */
const MARKER_ACK_TIMEOUT_MS = 30_000;
const WRITE_TXN_MARKERS_VERSION = 1;

/** Appends one marker to `topic`-`index` as its leader and waits for the ISR; the error code (0: written). */
export async function writeLocalMarker(b: BrokerState, topic: string, index: number, m: TxnMarkers): Promise<number> {
  const partition = b.authority.leaderPartition(topic, index);
  if (typeof partition === 'number') return partition;
  const s = partition.leaderState;
  if (s !== null && s.isr.length < partition.config['min.insync.replicas']) return ErrorCode.NOT_ENOUGH_REPLICAS;
  try {
    const { lastOffset } = await partition.appendMarker({
      producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.commit, coordinatorEpoch: m.coordinatorEpoch, timestampMs: Date.now(),
    });
    if (s === null) return ErrorCode.NONE;
    const outcome = await partition.waitForAck(lastOffset + 1, MARKER_ACK_TIMEOUT_MS, b.shutdown);
    if (outcome === 'timeout') return ErrorCode.REQUEST_TIMED_OUT;
    if (outcome === 'not-leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return ErrorCode.NONE;
  } catch (err) {
    return errorCodeFor(err, b.logger, { op: 'transaction marker', topic, partition: index });
  }
}

/** The coordinator's MarkerWriter: local partitions directly, the others through their leaders. */
export class BrokerMarkerWriter implements MarkerWriter {
  private readonly connections = new Map<number, { conn: Connection; host: string; port: number }>();

  constructor(private readonly b: BrokerState, private readonly security: ClientSecurity | undefined) {}

  async writeMarkers(m: TxnMarkers): Promise<MarkerResult[]> {
    const results: Promise<MarkerResult[]>[] = [];
    const remote = new Map<number, { topic: string; partition: number }[]>();
    for (const p of m.partitions) {
      const topic = this.b.authority.topic(p.topic);
      if (topic === undefined || p.partition < 0 || p.partition >= topic.replicas.length) {
        results.push(Promise.resolve([{ ...p, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }]));
        continue;
      }
      const leader = this.b.authority.partitionState(p.topic, p.partition)?.leader ?? -1;
      if (leader === this.b.nodeId) {
        results.push(writeLocalMarker(this.b, p.topic, p.partition, m).then((errorCode) => [{ ...p, errorCode }]));
      } else if (leader < 0) {
        results.push(Promise.resolve([{ ...p, errorCode: ErrorCode.LEADER_NOT_AVAILABLE }]));
      } else {
        const list = remote.get(leader) ?? [];
        list.push(p);
        remote.set(leader, list);
      }
    }
    for (const [leader, partitions] of remote) results.push(this.sendTo(leader, m, partitions));
    return (await Promise.all(results)).flat();
  }

  /** One WriteTxnMarkers to broker `id` for `partitions`; every partition fails alike when the call does. */
  private async sendTo(id: number, m: TxnMarkers, partitions: { topic: string; partition: number }[]): Promise<MarkerResult[]> {
    const failed = (errorCode: number): MarkerResult[] => partitions.map((p) => ({ ...p, errorCode }));
    const at = this.b.authority.brokerEndpoint(id);
    if (at === null) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    let held = this.connections.get(id);
    if (held && (held.conn.closed || held.host !== at.host || held.port !== at.port)) {
      await held.conn.close().catch(() => undefined);
      held = undefined;
    }
    if (!held) {
      held = { conn: new Connection({ ...at, clientId: `mq-broker-${this.b.nodeId}-txn`, requestTimeoutMs: MARKER_ACK_TIMEOUT_MS + 5000, connectTimeoutMs: 3000, security: this.security }), ...at };
      this.connections.set(id, held);
    }
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const req: WriteTxnMarkersRequest = {
      markers: [{
        producerId: m.producerId, producerEpoch: m.producerEpoch, transactionResult: m.commit, coordinatorEpoch: m.coordinatorEpoch,
        topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      }],
    };
    try {
      await held.conn.ready();
      const res = await held.conn.request<WriteTxnMarkersResponse>(ApiKey.WriteTxnMarkers, WRITE_TXN_MARKERS_VERSION, req);
      return (res.markers[0]?.topics ?? []).flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode })));
    } catch (err) {
      this.b.logger.warn('WriteTxnMarkers to a partition leader failed; the coordinator retries', { broker: id, error: (err as Error).message });
      await held.conn.close().catch(() => undefined);
      this.connections.delete(id);
      return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
  }

  async close(): Promise<void> {
    for (const { conn } of this.connections.values()) await conn.close().catch(() => undefined);
    this.connections.clear();
  }
}
