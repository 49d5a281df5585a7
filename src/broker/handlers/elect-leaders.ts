// ElectLeaders: preferred leader elections, answered by the controller only (the controller decides and
// writes, controller.ts). Elsewhere every listed partition gets NOT_CONTROLLER, and v1 also says so at the
// top level, as Kafka does. ElectionType 1 (unclean) is refused with INVALID_REQUEST. TopicPartitions
// null = every partition. Embedded mode: the one broker already leads everything (ELECTION_NOT_NEEDED).
import { ErrorCode, errorCodeOf } from '../../protocol/error-codes.js';
import { ELECTION_TYPE_PREFERRED, type ElectLeadersRequest, type ElectLeadersResponse } from '../../protocol/messages/elect-leaders.js';
import type { PreferredElectionResult } from '../../cluster/controller.js';
import { clipErrorMessage, errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { BrokerState, Handler } from '../request-context.js';

type Results = ElectLeadersResponse['replicaElectionResults'];

export const handleElectLeaders: Handler<ElectLeadersRequest, ElectLeadersResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const listed = (req.topicPartitions ?? []).flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
  const everyone = (code: number, message: string): ElectLeadersResponse => ({
    throttleTimeMs: 0,
    errorCode: code,
    replicaElectionResults: byTopic(listed.map((tp) => ({ ...tp, error: null, message })), () => code),
  });
  if (req.electionType !== ELECTION_TYPE_PREFERRED) {
    return everyone(ErrorCode.INVALID_REQUEST, `election type ${req.electionType} is not supported (only 0, preferred)`);
  }
  if (!b.cluster) return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: embeddedResults(b, req) };
  let results: PreferredElectionResult[];
  try {
    results = await b.cluster.requireController().electPreferredLeaders(req.topicPartitions === null ? null : listed);
  } catch (err) {
    return everyone(errorCodeFor(err, b.logger, { op: 'elect-leaders' }), errorMessageFor(err) ?? '');
  }
  return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: byTopic(results, (r) => (r.error === null ? 0 : errorCodeOf(r.error))) };
};

/** One broker leads every partition it has: nothing to elect. */
function embeddedResults(b: BrokerState, req: ElectLeadersRequest): Results {
  const wanted = req.topicPartitions
    ?? b.topics.names().map((topic) => ({ topic, partitions: b.topics.get(topic)!.partitions.filter(Boolean).map((p) => p.index) }));
  return wanted.map((t) => ({
    topic: t.topic,
    partitionResult: t.partitions.map((partitionId) => (b.topics.partition(t.topic, partitionId)
      ? { partitionId, errorCode: errorCodeOf('ELECTION_NOT_NEEDED'), errorMessage: `broker ${b.nodeId} is the only replica and leads` }
      : { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: clipErrorMessage(`partition ${t.topic}-${partitionId} does not exist`) })),
  }));
}

/** Groups per-partition answers by topic, in first-seen order. */
function byTopic(results: PreferredElectionResult[], codeOf: (r: PreferredElectionResult) => number): Results {
  const out = new Map<string, Results[number]>();
  for (const r of results) {
    let t = out.get(r.topic);
    if (!t) out.set(r.topic, t = { topic: r.topic, partitionResult: [] });
    t.partitionResult.push({ partitionId: r.partition, errorCode: codeOf(r), errorMessage: r.message && clipErrorMessage(r.message) });
  }
  return [...out.values()];
}
