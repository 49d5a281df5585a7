// Metadata: the live brokers, the controller, and the requested topics (null = all, [] = none; in v0
// [] = all) with each partition's leader, replicas and ISR. Creates a requested topic on first use when
// auto.create.topics.enable is on and the client allows it (v4 flag; v1-3 imply yes). A partition whose
// leader is not live answers LEADER_NOT_AVAILABLE with leader -1; deleted (decommissioned, expired)
// partitions are left out, so clients see a gap in the ids.
import { ErrorCode } from '../../protocol/error-codes.js';
import type { MetadataRequest, MetadataResponse } from '../../protocol/messages/metadata.js';
import { topicNameProblem } from '../../protocol/topic-name.js';
import { MqError } from '../../util/mq-error.js';
import { errorCodeFor } from '../error-code-of.js';
import { clientAddress } from '../client-address.js';
import type { BrokerState, Handler } from '../request-context.js';

type TopicEntry = MetadataResponse['topics'][number];

export const handleMetadata: Handler<MetadataRequest, MetadataResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const a = b.authority;
  const allowCreate = b.config.autoCreateTopicsEnable && (ctx.header.apiVersion < 4 || req.allowAutoTopicCreation);
  const all = req.topics === null || (ctx.header.apiVersion === 0 && req.topics.length === 0);
  const names = all ? a.topicNames() : req.topics!.map((t) => t.name);
  const topics: TopicEntry[] = [];
  for (const name of names) topics.push(await describeTopic(b, name, allowCreate, ctx.peer));
  return {
    throttleTimeMs: 0,
    brokers: a.liveBrokers().map((broker) => ({ nodeId: broker.nodeId, ...clientAddress(broker, ctx.session.listener), rack: broker.rack })),
    clusterId: b.clusterId,
    controllerId: a.controllerId(),
    topics,
  };
};

async function describeTopic(b: BrokerState, name: string, allowCreate: boolean, peer: string): Promise<TopicEntry> {
  const a = b.authority;
  const empty = (errorCode: number): TopicEntry => ({ errorCode, name, isInternal: false, partitions: [] });
  if (topicNameProblem(name)) return empty(ErrorCode.INVALID_TOPIC_EXCEPTION);
  let record = a.topic(name);
  if (!record && allowCreate) {
    try {
      await a.autoCreateTopic(name);
    } catch (err) {
      // A retriable failure (no controller right now, ...) is LEADER_NOT_AVAILABLE: the client asks again.
      // Another request creating it at the same moment is fine.
      const code = err instanceof MqError && err.retriable ? ErrorCode.LEADER_NOT_AVAILABLE : errorCodeFor(err, b.logger, { op: 'auto-create', topic: name, peer });
      if (code !== ErrorCode.TOPIC_ALREADY_EXISTS) {
        b.logger.warn('auto-create failed', { topic: name, peer, error: (err as Error).message });
        return empty(code);
      }
    }
    record = a.topic(name);
    // Created, but this broker's metadata has not shown it yet: the client asks again.
    if (!record) return empty(ErrorCode.LEADER_NOT_AVAILABLE);
  }
  if (!record) return empty(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const live = new Set(a.liveBrokerIds());
  return {
    errorCode: 0,
    name,
    isInternal: false,
    partitions: record.replicas.flatMap((replicas, p) => {
      if (replicas.length === 0) return [];
      const state = a.partitionState(name, p);
      const leaderLive = state !== undefined && live.has(state.leader);
      return [{
        errorCode: leaderLive ? 0 : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: p,
        leaderId: leaderLive ? state.leader : -1,
        replicaNodes: replicas,
        isrNodes: state ? state.isr.filter((id) => live.has(id)) : [],
      }];
    }),
  };
}
