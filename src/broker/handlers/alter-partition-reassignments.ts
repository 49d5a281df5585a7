// AlterPartitionReassignments (KIP-455): start moves (replicas) or cancel them (replicas null). Every
// broker answers: in cluster mode the broker requests each move through the metadata store and the
// controller applies it (src/cluster/reassignment-admin.ts has the per-partition errors). In embedded
// mode the one broker answers as a single Kafka broker would: a move onto itself alone is already done,
// any other broker is INVALID_REPLICA_ASSIGNMENT, a cancel is NO_REASSIGNMENT_IN_PROGRESS.
import { errorCodeOf } from '../../protocol/error-codes.js';
import type { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from '../../protocol/messages/alter-partition-reassignments.js';
import type { ReassignmentChange, ReassignmentOutcome } from '../../cluster/reassignment-admin.js';
import { clipErrorMessage, errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { BrokerState, Handler } from '../request-context.js';

/** How long the broker waits for the controller when the request gives no timeout. */
const DEFAULT_TIMEOUT_MS = 30_000;

export const handleAlterPartitionReassignments: Handler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const changes: ReassignmentChange[] = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas })));
  let outcomes: ReassignmentOutcome[];
  try {
    outcomes = b.cluster
      ? await b.cluster.reassign(changes, req.timeoutMs > 0 ? req.timeoutMs : DEFAULT_TIMEOUT_MS)
      : changes.map((c) => embeddedOutcome(b, c));
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: errorCodeFor(err, b.logger, { op: 'alter-partition-reassignments' }), errorMessage: errorMessageFor(err), responses: [] };
  }
  const responses = new Map<string, AlterPartitionReassignmentsResponse['responses'][number]>();
  for (const o of outcomes) {
    let t = responses.get(o.topic);
    if (!t) responses.set(o.topic, t = { name: o.topic, partitions: [] });
    t.partitions.push({
      partitionIndex: o.partition,
      errorCode: o.error === null ? 0 : errorCodeOf(o.error),
      errorMessage: o.message === null ? null : clipErrorMessage(o.message),
    });
  }
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses: [...responses.values()] };
};

/** What a single broker answers: nothing can move. */
function embeddedOutcome(b: BrokerState, c: ReassignmentChange): ReassignmentOutcome {
  const out = (error: string | null, message: string | null): ReassignmentOutcome => ({ topic: c.topic, partition: c.partition, error, message });
  if (!b.topics.partition(c.topic, c.partition)) return out('UNKNOWN_TOPIC_OR_PARTITION', `partition ${c.topic}-${c.partition} does not exist`);
  if (c.replicas === null) return out('NO_REASSIGNMENT_IN_PROGRESS', `${c.topic}-${c.partition} is not being reassigned (embedded mode: one broker, nothing moves)`);
  if (c.replicas.length === 1 && c.replicas[0] === b.nodeId) return out(null, null);
  return out('INVALID_REPLICA_ASSIGNMENT', `embedded mode has one broker (${b.nodeId}): there is nowhere to move ${c.topic}-${c.partition}`);
}
