// Metadata: this broker, and the requested topics (null = all, [] = none; in v0 [] = all). Creates a requested topic
// on first use when auto.create.topics.enable is on and the client allows it (v4 flag; v1-3 imply yes).
import { ErrorCode } from '../../protocol/error-codes.js';
import type { MetadataRequest, MetadataResponse } from '../../protocol/messages/metadata.js';
import { topicNameProblem } from '../../cluster/topic-name.js';
import { errorCodeFor } from '../error-code-of.js';
import type { BrokerState, Handler } from '../request-context.js';

type TopicEntry = MetadataResponse['topics'][number];

export const handleMetadata: Handler<MetadataRequest, MetadataResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const allowCreate = b.config.autoCreateTopicsEnable && (ctx.header.apiVersion < 4 || req.allowAutoTopicCreation);
  const all = req.topics === null || (ctx.header.apiVersion === 0 && req.topics.length === 0);
  if (b.cluster) return b.cluster.metadata(all ? null : req.topics!.map((t) => t.name), allowCreate, b.clusterId);
  const names = all ? b.topics.names() : req.topics!.map((t) => t.name);
  const topics: TopicEntry[] = [];
  for (const name of names) topics.push(await describeTopic(b, name, allowCreate, ctx.peer));
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: b.nodeId, host: b.advertised.host, port: b.advertised.port, rack: null }],
    clusterId: b.clusterId,
    controllerId: b.nodeId,
    topics,
  };
};

async function describeTopic(b: BrokerState, name: string, allowCreate: boolean, peer: string): Promise<TopicEntry> {
  const empty = (errorCode: number): TopicEntry => ({ errorCode, name, isInternal: false, partitions: [] });
  if (topicNameProblem(name)) return empty(ErrorCode.INVALID_TOPIC_EXCEPTION);
  let topic = b.topics.get(name);
  if (!topic && allowCreate) {
    try {
      await b.topics.create({ name, numPartitions: -1, replicationFactor: -1, configs: {} });
    } catch (err) {
      const code = errorCodeFor(err, b.logger, { op: 'auto-create', topic: name, peer });
      // Another request created it at the same moment: fine.
      if (code !== ErrorCode.TOPIC_ALREADY_EXISTS) return empty(code);
    }
    topic = b.topics.get(name);
    if (!topic) return empty(ErrorCode.LEADER_NOT_AVAILABLE);
  }
  if (!topic) return empty(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  return {
    errorCode: 0,
    name,
    isInternal: false,
    // filter: a deleted (decommissioned, expired) partition is a hole; clients see a gap in the ids.
    partitions: topic.partitions.filter(Boolean).map((p) => ({
      errorCode: 0,
      partitionIndex: p.index,
      leaderId: b.nodeId,
      replicaNodes: [b.nodeId],
      isrNodes: [b.nodeId],
    })),
  };
}
