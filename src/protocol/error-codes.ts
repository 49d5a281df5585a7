// The one table of Kafka error codes: number, name, whether a client may retry, and a sentence for people.
import { MqError } from '../util/mq-error.js';

export interface ErrorCodeInfo { code: number; name: string; retriable: boolean; message: string }

const table: ErrorCodeInfo[] = [
  { code: -1, name: 'UNKNOWN_SERVER_ERROR', retriable: false, message: 'the broker hit an unexpected error' },
  { code: 0, name: 'NONE', retriable: false, message: 'no error' },
  { code: 1, name: 'OFFSET_OUT_OF_RANGE', retriable: false, message: 'the offset is outside the log' },
  { code: 2, name: 'CORRUPT_MESSAGE', retriable: true, message: 'the record batch failed its CRC or size check' },
  { code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true, message: 'the topic or partition does not exist' },
  { code: 4, name: 'INVALID_FETCH_SIZE', retriable: false, message: 'the fetch size is invalid' },
  { code: 5, name: 'LEADER_NOT_AVAILABLE', retriable: true, message: 'the partition has no leader yet' },
  { code: 6, name: 'NOT_LEADER_OR_FOLLOWER', retriable: true, message: 'this broker is not the leader of the partition' },
  { code: 7, name: 'REQUEST_TIMED_OUT', retriable: true, message: 'the request timed out' },
  { code: 8, name: 'BROKER_NOT_AVAILABLE', retriable: false, message: 'the broker is not available' },
  { code: 9, name: 'REPLICA_NOT_AVAILABLE', retriable: true, message: 'a replica is not available' },
  { code: 10, name: 'MESSAGE_TOO_LARGE', retriable: false, message: 'the record batch is larger than max.message.bytes' },
  { code: 12, name: 'OFFSET_METADATA_TOO_LARGE', retriable: false, message: 'the commit metadata is too large' },
  { code: 13, name: 'NETWORK_EXCEPTION', retriable: true, message: 'the connection was lost' },
  { code: 14, name: 'COORDINATOR_LOAD_IN_PROGRESS', retriable: true, message: 'the coordinator is loading' },
  { code: 15, name: 'COORDINATOR_NOT_AVAILABLE', retriable: true, message: 'the coordinator is not available' },
  { code: 16, name: 'NOT_COORDINATOR', retriable: true, message: 'this broker is not the coordinator' },
  { code: 17, name: 'INVALID_TOPIC_EXCEPTION', retriable: false, message: 'the topic name is invalid' },
  { code: 18, name: 'RECORD_LIST_TOO_LARGE', retriable: false, message: 'the batch is larger than a segment' },
  { code: 19, name: 'NOT_ENOUGH_REPLICAS', retriable: true, message: 'fewer in-sync replicas than min.insync.replicas' },
  { code: 20, name: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', retriable: true, message: 'the ISR shrank after the append' },
  { code: 21, name: 'INVALID_REQUIRED_ACKS', retriable: false, message: 'acks must be 0, 1 or -1 (all)' },
  { code: 22, name: 'ILLEGAL_GENERATION', retriable: false, message: 'the group generation is stale' },
  { code: 23, name: 'INCONSISTENT_GROUP_PROTOCOL', retriable: false, message: 'the group members share no protocol' },
  { code: 24, name: 'INVALID_GROUP_ID', retriable: false, message: 'the group id is invalid' },
  { code: 25, name: 'UNKNOWN_MEMBER_ID', retriable: false, message: 'the member is not in the group' },
  { code: 26, name: 'INVALID_SESSION_TIMEOUT', retriable: false, message: 'the session timeout is out of range' },
  { code: 27, name: 'REBALANCE_IN_PROGRESS', retriable: false, message: 'the group is rebalancing' },
  { code: 28, name: 'INVALID_COMMIT_OFFSET_SIZE', retriable: false, message: 'the commit is too large' },
  { code: 29, name: 'TOPIC_AUTHORIZATION_FAILED', retriable: false, message: 'not authorized for the topic' },
  { code: 30, name: 'GROUP_AUTHORIZATION_FAILED', retriable: false, message: 'not authorized for the group' },
  { code: 31, name: 'CLUSTER_AUTHORIZATION_FAILED', retriable: false, message: 'not authorized for the cluster' },
  { code: 32, name: 'INVALID_TIMESTAMP', retriable: false, message: 'the record timestamp is out of range' },
  { code: 33, name: 'UNSUPPORTED_SASL_MECHANISM', retriable: false, message: 'the SASL mechanism is not enabled' },
  { code: 34, name: 'ILLEGAL_SASL_STATE', retriable: false, message: 'SASL request out of sequence' },
  { code: 35, name: 'UNSUPPORTED_VERSION', retriable: false, message: 'the broker does not support this request version' },
  { code: 36, name: 'TOPIC_ALREADY_EXISTS', retriable: false, message: 'the topic already exists' },
  { code: 37, name: 'INVALID_PARTITIONS', retriable: false, message: 'the partition count is invalid' },
  { code: 38, name: 'INVALID_REPLICATION_FACTOR', retriable: false, message: 'the replication factor is invalid' },
  { code: 39, name: 'INVALID_REPLICA_ASSIGNMENT', retriable: false, message: 'the replica assignment is invalid' },
  { code: 40, name: 'INVALID_CONFIG', retriable: false, message: 'the configuration is invalid' },
  { code: 41, name: 'NOT_CONTROLLER', retriable: true, message: 'this broker is not the controller' },
  { code: 42, name: 'INVALID_REQUEST', retriable: false, message: 'the request is malformed' },
  { code: 43, name: 'UNSUPPORTED_FOR_MESSAGE_FORMAT', retriable: false, message: 'needs a newer message format' },
  { code: 44, name: 'POLICY_VIOLATION', retriable: false, message: 'the request violates a policy' },
  { code: 45, name: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false, message: 'the producer sequence has a gap' },
  { code: 46, name: 'DUPLICATE_SEQUENCE_NUMBER', retriable: false, message: 'the batch is a duplicate' },
  { code: 47, name: 'INVALID_PRODUCER_EPOCH', retriable: false, message: 'the producer epoch is stale' },
  { code: 48, name: 'INVALID_TXN_STATE', retriable: false, message: 'the transaction state does not allow this' },
  { code: 49, name: 'INVALID_PRODUCER_ID_MAPPING', retriable: false, message: 'the producer id does not match' },
  { code: 50, name: 'INVALID_TRANSACTION_TIMEOUT', retriable: false, message: 'the transaction timeout is too large' },
  { code: 51, name: 'CONCURRENT_TRANSACTIONS', retriable: true, message: 'a previous transaction is still completing' },
  { code: 52, name: 'TRANSACTION_COORDINATOR_FENCED', retriable: false, message: 'the transaction coordinator was fenced' },
  { code: 53, name: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', retriable: false, message: 'not authorized for the transactional id' },
  { code: 54, name: 'SECURITY_DISABLED', retriable: false, message: 'security features are disabled on this broker' },
  { code: 55, name: 'OPERATION_NOT_ATTEMPTED', retriable: false, message: 'not attempted because another part of the request failed' },
  { code: 56, name: 'KAFKA_STORAGE_ERROR', retriable: true, message: 'the broker could not write to or read from disk' },
  { code: 58, name: 'SASL_AUTHENTICATION_FAILED', retriable: false, message: 'authentication failed' },
  { code: 59, name: 'UNKNOWN_PRODUCER_ID', retriable: false, message: 'the producer id is unknown' },
  { code: 60, name: 'REASSIGNMENT_IN_PROGRESS', retriable: false, message: 'the partition is being reassigned already' },
  { code: 68, name: 'NON_EMPTY_GROUP', retriable: false, message: 'the group still has members' },
  { code: 69, name: 'GROUP_ID_NOT_FOUND', retriable: false, message: 'the group does not exist' },
  { code: 70, name: 'FETCH_SESSION_ID_NOT_FOUND', retriable: true, message: 'fetch session not found' },
  { code: 71, name: 'INVALID_FETCH_SESSION_EPOCH', retriable: true, message: 'fetch session epoch is invalid' },
  { code: 72, name: 'LISTENER_NOT_FOUND', retriable: true, message: 'no listener for this address' },
  { code: 73, name: 'TOPIC_DELETION_DISABLED', retriable: false, message: 'topic deletion is disabled' },
  { code: 74, name: 'FENCED_LEADER_EPOCH', retriable: true, message: 'the leader epoch is stale' },
  { code: 75, name: 'UNKNOWN_LEADER_EPOCH', retriable: true, message: 'the leader epoch is newer than the broker knows' },
  { code: 76, name: 'UNSUPPORTED_COMPRESSION_TYPE', retriable: false, message: 'the compression type is not supported' },
  { code: 78, name: 'OFFSET_NOT_AVAILABLE', retriable: true, message: 'the offset is not available yet' },
  { code: 79, name: 'MEMBER_ID_REQUIRED', retriable: false, message: 'the member must rejoin with the given member id' },
  { code: 80, name: 'PREFERRED_LEADER_NOT_AVAILABLE', retriable: true, message: 'the preferred replica is not live or not in the ISR' },
  { code: 81, name: 'GROUP_MAX_SIZE_REACHED', retriable: false, message: 'the group is full' },
  { code: 82, name: 'FENCED_INSTANCE_ID', retriable: false, message: 'the static member was replaced' },
  { code: 84, name: 'ELECTION_NOT_NEEDED', retriable: false, message: 'the preferred replica already leads' },
  { code: 85, name: 'NO_REASSIGNMENT_IN_PROGRESS', retriable: false, message: 'the partition is not being reassigned' },
  { code: 86, name: 'GROUP_SUBSCRIBED_TO_TOPIC', retriable: false, message: 'the group is subscribed to the topic' },
  { code: 87, name: 'INVALID_RECORD', retriable: false, message: 'a record failed broker validation' },
  { code: 88, name: 'UNSTABLE_OFFSET_COMMIT', retriable: true, message: 'there are pending transactional offsets' },
  { code: 89, name: 'THROTTLING_QUOTA_EXCEEDED', retriable: true, message: 'the request was throttled' },
  { code: 90, name: 'PRODUCER_FENCED', retriable: false, message: 'a newer producer with the same transactional id exists' },
  { code: 91, name: 'RESOURCE_NOT_FOUND', retriable: false, message: 'the resource does not exist' },
  { code: 92, name: 'DUPLICATE_RESOURCE', retriable: false, message: 'the request names one resource twice' },
  { code: 93, name: 'UNACCEPTABLE_CREDENTIAL', retriable: false, message: 'the credential does not meet the broker\'s requirements' },
  { code: 105, name: 'TRANSACTIONAL_ID_NOT_FOUND', retriable: false, message: 'the transactional id is not known' },
];

const byCode = new Map(table.map((e) => [e.code, e]));
const byName = new Map(table.map((e) => [e.name, e]));

/** Numeric codes by name, e.g. ErrorCode.CORRUPT_MESSAGE === 2. */
export const ErrorCode = Object.fromEntries(table.map((e) => [e.name, e.code])) as Record<string, number> & {
  NONE: 0; OFFSET_OUT_OF_RANGE: 1; CORRUPT_MESSAGE: 2; UNKNOWN_TOPIC_OR_PARTITION: 3; LEADER_NOT_AVAILABLE: 5;
  NOT_LEADER_OR_FOLLOWER: 6; REQUEST_TIMED_OUT: 7; MESSAGE_TOO_LARGE: 10; INVALID_TOPIC_EXCEPTION: 17;
  INVALID_REQUIRED_ACKS: 21; UNSUPPORTED_VERSION: 35; TOPIC_ALREADY_EXISTS: 36; INVALID_PARTITIONS: 37;
  INVALID_REPLICATION_FACTOR: 38; INVALID_CONFIG: 40; INVALID_REQUEST: 42; KAFKA_STORAGE_ERROR: 56;
  UNSUPPORTED_COMPRESSION_TYPE: 76; INVALID_RECORD: 87; UNKNOWN_SERVER_ERROR: -1;
};

export function errorInfo(code: number): ErrorCodeInfo {
  return byCode.get(code) ?? { code, name: `ERROR_${code}`, retriable: false, message: `broker error code ${code}` };
}

export function errorCodeOf(name: string): number {
  return byName.get(name)?.code ?? -1;
}

/** The one place a wire error code becomes an in-process error (kafkajs' `parse`). */
export function errorFromCode(code: number, context?: string): MqError {
  const info = errorInfo(code);
  const where = context ? `${context}: ` : '';
  return new MqError(info.name, `${where}${info.message} (${info.name})`, { retriable: info.retriable });
}
