// Consumer-protocol payloads: the opaque BYTES inside JoinGroup (Protocols[].Metadata), SyncGroup
// (Assignment) and DescribeGroups. The broker stores and forwards them unchanged; clients and the
// `mq groups` tooling read them. Each payload is an INT16 version followed by the struct at that
// version, always in the classic (non-flexible) encoding:
//
//   ConsumerProtocolSubscription v0-v3:
//     Version             INT16
//     Topics              ARRAY of STRING
//     UserData            NULLABLE_BYTES
//     OwnedPartitions     ARRAY     {v1+}
//       Topic             STRING
//       Partitions        ARRAY of INT32
//     GenerationId        INT32     {v2+}        -1 when unknown
//     RackId              NULLABLE_STRING {v3+}
//
//   ConsumerProtocolAssignment v0-v3:
//     Version             INT16
//     AssignedPartitions  ARRAY
//       Topic             STRING
//       Partitions        ARRAY of INT32
//     UserData            NULLABLE_BYTES
//
// Like Kafka's ConsumerProtocol, a payload of a newer version is read with the newest layout we know
// and the bytes after it are ignored (later versions only append fields).
import { array, int32, nullableBytes, nullableString, since, string, struct, type Infer } from '../codec.js';
import { Reader } from '../reader.js';
import { Writer } from '../writer.js';

/** Highest payload version mq reads and writes. */
export const CONSUMER_PROTOCOL_MAX_VERSION = 3;

const topicPartitions = struct({
  topic: string,
  partitions: array(int32),
});

export const ConsumerProtocolSubscription = struct({
  topics: array(string),
  userData: nullableBytes,
  ownedPartitions: since(1, array(topicPartitions), []),
  generationId: since(2, int32, -1),
  rackId: since(3, nullableString, null),
});
export type ConsumerProtocolSubscription = Infer<typeof ConsumerProtocolSubscription>;

export const ConsumerProtocolAssignment = struct({
  assignedPartitions: array(topicPartitions),
  userData: nullableBytes,
});
export type ConsumerProtocolAssignment = Infer<typeof ConsumerProtocolAssignment>;

/** Encodes a subscription as INT16 version + struct. */
export function encodeConsumerProtocolSubscription(value: ConsumerProtocolSubscription, version: number): Buffer {
  const w = new Writer();
  w.int16(version);
  ConsumerProtocolSubscription.encode(w, value, version);
  return w.toBuffer();
}

/** Reads the leading version, then the subscription at that version (newer versions read as the newest known). */
export function decodeConsumerProtocolSubscription(buf: Buffer): ConsumerProtocolSubscription & { version: number } {
  const r = new Reader(buf);
  const version = r.int16();
  const value = ConsumerProtocolSubscription.decode(r, Math.min(version, CONSUMER_PROTOCOL_MAX_VERSION));
  return { version, ...value };
}

/** Encodes an assignment as INT16 version + struct. */
export function encodeConsumerProtocolAssignment(value: ConsumerProtocolAssignment, version: number): Buffer {
  const w = new Writer();
  w.int16(version);
  ConsumerProtocolAssignment.encode(w, value, version);
  return w.toBuffer();
}

/**
 * Reads the leading version, then the assignment. An empty buffer (what the coordinator hands a member
 * the leader gave nothing) is an empty assignment.
 */
export function decodeConsumerProtocolAssignment(buf: Buffer): ConsumerProtocolAssignment & { version: number } {
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const r = new Reader(buf);
  const version = r.int16();
  const value = ConsumerProtocolAssignment.decode(r, Math.min(version, CONSUMER_PROTOCOL_MAX_VERSION));
  return { version, ...value };
}
