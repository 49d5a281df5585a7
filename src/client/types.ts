// The public shapes of the client library (src/client). Commands, the bench tool and tests program
// against these; Producer, Consumer and Admin implement them.

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record as a producer hands it over. */
export interface ProducerRecord {
  topic: string;
  value: Buffer | null;
  key?: Buffer | null;
  headers?: RecordHeader[];
  /** Explicit partition; otherwise murmur2(key) mod partitions, or the sticky partition when keyless. */
  partition?: number;
  /** CreateTime in ms; defaults to Date.now() at send(). */
  timestamp?: number;
}

/** Where an acknowledged record landed (offset is -1 with acks=0). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

/** A record as a consumer receives it. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  /** 0 CreateTime, 1 LogAppendTime */
  timestampType: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export type Acks = 0 | 1 | -1;
export type Compression = 'none' | 'gzip';

export interface ClientOptions {
  /** "host:port" entries to bootstrap from. */
  bootstrap: string[];
  clientId?: string;
  /** Per request; default 30000. */
  requestTimeoutMs?: number;
  /** Connection establishment; default 5000. */
  connectTimeoutMs?: number;
}

export interface ProducerOptions extends ClientOptions {
  acks?: Acks; // default -1 (all)
  lingerMs?: number; // default 5
  batchSize?: number; // bytes per partition batch, default 16384
  /** Bytes buffered and unacknowledged before waitForCapacity() waits; default 32 MiB. */
  bufferMemory?: number;
  retries?: number; // default 5
  retryBackoffMs?: number; // default 100
  compression?: Compression; // default 'none'
  /** Produce requests in flight per broker; default 5. */
  maxInFlight?: number;
  /** Produce timeout sent to the broker (acks=all); default 30000. */
  timeoutMs?: number;
}

export interface Producer {
  /** Queues a record; resolves once it is acknowledged (or rejects with MqError after retries). */
  send(record: ProducerRecord): Promise<RecordMetadata>;
  /** Resolves at once while buffered bytes are under bufferMemory; otherwise when they drop under it. */
  waitForCapacity(): Promise<void>;
  /** Sends everything buffered now (ignores linger) and waits for all outstanding acks. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Where a consumer starts in a partition. */
export type OffsetSpec =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'offset'; offset: number }
  /** `n` records before the end (kcat's -o -N) */
  | { kind: 'fromEnd'; n: number }
  /** first record whose timestamp >= ms */
  | { kind: 'timestamp'; timestampMs: number };

export interface ConsumerOptions extends ClientOptions {
  maxWaitMs?: number; // default 500
  minBytes?: number; // default 1
  maxBytes?: number; // default 50 MiB
  partitionMaxBytes?: number; // default 1 MiB
  isolationLevel?: 0 | 1; // default 0 (read uncommitted)
}

export interface Assignment {
  topic: string;
  /** Omitted: every partition of the topic. */
  partitions?: number[];
  start: OffsetSpec;
}

export interface Consumer {
  /** Chooses the partitions and resolves their start offsets (ListOffsets). Call before records(). */
  assign(assignments: Assignment[]): Promise<void>;
  /**
   * The records of the assigned partitions in offset order per partition. With `exitAtEnd`, ends once
   * every partition has reached the high watermark it had when that partition was first caught up.
   * Ends when `signal` aborts.
   */
  records(opts?: { signal?: AbortSignal; exitAtEnd?: boolean }): AsyncIterable<ConsumedRecord>;
  close(): Promise<void>;
}

export interface TopicPartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  logStartOffset: number;
  highWatermark: number;
  errorCode: number;
}

export interface TopicDescription {
  name: string;
  partitions: TopicPartitionInfo[];
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
  topics: { name: string; errorCode: number; partitions: { partition: number; leader: number; replicas: number[]; isr: number[]; errorCode: number }[] }[];
}

export interface CreateTopicOptions {
  topic: string;
  partitions?: number; // default: broker's num.partitions (-1 on the wire)
  replicationFactor?: number; // default: broker's default (-1 on the wire)
  configs?: Record<string, string>;
}

export interface Admin {
  metadata(topics?: string[] | null): Promise<ClusterMetadata>;
  createTopic(opts: CreateTopicOptions): Promise<void>;
  /** Topic names, sorted. */
  listTopics(): Promise<string[]>;
  /** Partitions with leader, replicas, ISR, log start offset and high watermark (ListOffsets -2 / -1). */
  describeTopic(name: string): Promise<TopicDescription>;
  /** Grows the topic to `totalPartitions`; a decrease is an MqError INVALID_PARTITIONS. */
  createPartitions(topic: string, totalPartitions: number): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  close(): Promise<void>;
}
