// AlterPartitionReassignments (KIP-455): start moves (replicas) or cancel them (replicas null). Every
// broker answers through its topic authority: in cluster mode each move is requested through the metadata
// store and the controller applies it (src/cluster/reassignment-admin.ts has the per-partition errors);
// embedded mode answers as a single Kafka broker would (nothing can move).
import { errorCodeOf } from '../../protocol/error-codes.js';
import type { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from '../../protocol/messages/alter-partition-reassignments.js';
import type { ReassignmentChange, ReassignmentOutcome } from '../../cluster/reassignment-admin.js';
import { clipErrorMessage, errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

/** How long the broker waits for the controller when the request gives no timeout. */
const DEFAULT_TIMEOUT_MS = 30_000;

export const handleAlterPartitionReassignments: Handler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const changes: ReassignmentChange[] = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas })));
  let outcomes: ReassignmentOutcome[];
  try {
    outcomes = await b.authority.reassign(changes, req.timeoutMs > 0 ? req.timeoutMs : DEFAULT_TIMEOUT_MS);
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
