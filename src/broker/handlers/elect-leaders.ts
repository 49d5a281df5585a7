// ElectLeaders: preferred leader elections, answered by the controller only (the controller decides and
// writes, controller.ts). Elsewhere every listed partition gets NOT_CONTROLLER, and v1 also says so at the
// top level, as Kafka does. ElectionType 1 (unclean) is refused with INVALID_REQUEST. TopicPartitions
// null = every partition. Embedded mode's one broker already leads everything (ELECTION_NOT_NEEDED).
import { ErrorCode, errorCodeOf } from '../../protocol/error-codes.js';
import { ELECTION_TYPE_PREFERRED, type ElectLeadersRequest, type ElectLeadersResponse } from '../../protocol/messages/elect-leaders.js';
import type { PreferredElectionResult } from '../../cluster/controller.js';
import { clipErrorMessage, errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

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
  let results: PreferredElectionResult[];
  try {
    results = await b.authority.electPreferredLeaders(req.topicPartitions === null ? null : listed);
  } catch (err) {
    return everyone(errorCodeFor(err, b.logger, { op: 'elect-leaders' }), errorMessageFor(err) ?? '');
  }
  return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: byTopic(results, (r) => (r.error === null ? 0 : errorCodeOf(r.error))) };
};

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
