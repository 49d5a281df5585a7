// The reassignment throttle as a dynamic BROKER config (Kafka's leader/follower.replication.throttled.rate,
// src/replication/replication-throttle.ts says what they mean in mq), shared by AlterConfigs,
// IncrementalAlterConfigs and DescribeConfigs. Any broker id, or "" (the cluster-wide default), names
// the same cluster-wide throttle: it lives in the moves' records, not per broker.
import { ErrorCode } from '../../protocol/error-codes.js';
import type { DescribeConfigsResponse } from '../../protocol/messages/describe-configs.js';
import { THROTTLE_CONFIGS, throttleConfigRate } from '../../replication/replication-throttle.js';
import { MqError } from '../../util/mq-error.js';
import { clipErrorMessage, errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { BrokerState } from '../request-context.js';

/** DescribeConfigs ConfigSource DYNAMIC_DEFAULT_BROKER_CONFIG: set for the whole cluster. */
const CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER = 3;

/** Sets or removes the throttle; the wire answer for one BROKER resource. */
export async function alterThrottleConfig(
  b: BrokerState, resourceName: string, changes: ReadonlyMap<string, string | null>, validateOnly: boolean,
): Promise<{ errorCode: number; errorMessage: string | null }> {
  if (resourceName !== '' && !/^\d+$/.test(resourceName)) {
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: clipErrorMessage(`'${resourceName}' is not a broker id (or "" for every broker)`) };
  }
  try {
    const rate = throttleConfigRate(changes);
    if (validateOnly) {
      if (rate !== null && b.authority.listReassignments(null).length === 0) throw noMoves();
      return { errorCode: 0, errorMessage: null };
    }
    const changed = await b.authority.setReassignmentThrottle(rate);
    if (rate !== null && changed === 0) throw noMoves();
    return { errorCode: 0, errorMessage: null };
  } catch (err) {
    return { errorCode: errorCodeFor(err, b.logger, { op: 'alter-throttle-config' }), errorMessage: errorMessageFor(err) };
  }
}

function noMoves(): MqError {
  return new MqError('INVALID_CONFIG', 'no reassignment in progress: mq keeps the throttle in each move and it ends with the move (start the moves first, or pass the throttle with them: mq reassign execute --throttle)');
}

/** The throttle entries of a BROKER resource (none while no move is throttled). */
export function throttleConfigEntries(b: BrokerState, keys: readonly string[] | null): DescribeConfigsResponse['results'][number]['configs'] {
  const rate = b.authority.reassignmentThrottle();
  if (rate === null) return [];
  return THROTTLE_CONFIGS.filter((n) => keys === null || keys.includes(n)).map((name) => ({
    name, value: String(rate), readOnly: false, isDefault: false, configSource: CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER, isSensitive: false, synonyms: [],
  }));
}
