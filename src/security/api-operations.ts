// The one table of what each Kafka API needs the authorizer to allow (DESIGN.md: "one table maps each API
// to its operation and resource; checked at dispatch, before the handler"). Kafka's choices, per API:
// the resource type, the operation, and which names in the request it applies to. A check "of" each
// topic is decided per topic (the handler answers the refused ones with TOPIC_AUTHORIZATION_FAILED and
// serves the rest); a check of the cluster or of the request's one group decides the whole request.
// `alternatives`: allowed if ANY of them passes (CreateTopics: Create on the cluster, or on the topic).
// Config APIs check Topic resources on the topic and Broker resources on the cluster ('each-broker');
// a transactional request (Produce with a TransactionalId, FindCoordinator of key type 1) also needs its
// TransactionalId. src/broker/acl-guards.ts says, per API, which names of a request each scope means.
// A test holds the table against the API registry, so a new API cannot be served unchecked.
import { ApiKey } from '../protocol/api.js';
import type { AclOperationName, ResourceTypeName } from './acl.js';

export type CheckScope = 'cluster' | 'each-topic' | 'group' | 'each-group' | 'each-broker' | 'transactional-id';

export interface AclCheck {
  resource: ResourceTypeName;
  operation: AclOperationName;
  of: CheckScope;
}

export interface ApiRule {
  /** Every entry must pass; an entry that is an array passes if any of its checks passes. */
  checks: readonly (AclCheck | readonly AclCheck[])[];
  /** Where Kafka does something other than refuse (filter the answer), or splits by request kind. */
  note?: string;
  /** Replaces `checks` when a broker asks as a follower (Fetch, OffsetForLeaderEpoch with ReplicaId >= 0). */
  asFollower?: AclCheck;
}

const topic = (operation: AclOperationName): AclCheck => ({ resource: 'Topic', operation, of: 'each-topic' });
const cluster = (operation: AclOperationName): AclCheck => ({ resource: 'Cluster', operation, of: 'cluster' });
const group = (operation: AclOperationName): AclCheck => ({ resource: 'Group', operation, of: 'group' });
const brokers = (operation: AclOperationName): AclCheck => ({ resource: 'Cluster', operation, of: 'each-broker' });
const transactionalId = (operation: AclOperationName): AclCheck => ({ resource: 'TransactionalId', operation, of: 'transactional-id' });

export const API_RULES: Readonly<Record<number, ApiRule>> = {
  [ApiKey.ApiVersions]: { checks: [], note: 'allowed before authentication, as the SASL handshake needs it' },
  [ApiKey.Produce]: { checks: [transactionalId('Write'), topic('Write')] },
  [ApiKey.Fetch]: { checks: [topic('Read')], asFollower: cluster('ClusterAction'), note: 'a follower fetch (ReplicaId >= 0) needs ClusterAction on the cluster instead' },
  [ApiKey.ListOffsets]: { checks: [topic('Describe')] },
  [ApiKey.Metadata]: {
    checks: [topic('Describe')],
    note: 'topics the principal may not Describe are left out of the answer (all topics) or answered TOPIC_AUTHORIZATION_FAILED (named ones); auto-creation needs Create on the cluster or the topic',
  },
  [ApiKey.CreateTopics]: { checks: [[cluster('Create'), topic('Create')]] },
  [ApiKey.DeleteTopics]: { checks: [topic('Delete')] },
  [ApiKey.CreatePartitions]: { checks: [topic('Alter')] },
  [ApiKey.DeleteRecords]: { checks: [topic('Delete')] },
  [ApiKey.InitProducerId]: {
    checks: [transactionalId('Write')],
    note: 'a transactional producer needs Write on its TransactionalId; an idempotent one needs nothing here (KIP-679: its Produce needs Write on each topic)',
  },
  [ApiKey.AddPartitionsToTxn]: { checks: [transactionalId('Write'), topic('Write')] },
  [ApiKey.AddOffsetsToTxn]: { checks: [transactionalId('Write'), group('Read')] },
  [ApiKey.EndTxn]: { checks: [transactionalId('Write')] },
  [ApiKey.WriteTxnMarkers]: { checks: [cluster('ClusterAction')], note: 'sent by the transaction coordinator (a broker) to partition leaders' },
  [ApiKey.TxnOffsetCommit]: { checks: [transactionalId('Write'), group('Read'), topic('Read')] },
  [ApiKey.DescribeTransactions]: {
    checks: [],
    note: 'Describe on each TransactionalId: the ids the principal may not Describe are answered TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  },
  [ApiKey.ListTransactions]: { checks: [], note: 'only the transactional ids the principal may Describe are listed' },
  [ApiKey.DescribeConfigs]: { checks: [topic('DescribeConfigs'), brokers('DescribeConfigs')], note: 'Topic resources need it on the topic, Broker resources on the cluster' },
  [ApiKey.AlterConfigs]: { checks: [topic('AlterConfigs'), brokers('AlterConfigs')], note: 'Topic resources need it on the topic, Broker resources on the cluster' },
  [ApiKey.IncrementalAlterConfigs]: { checks: [topic('AlterConfigs'), brokers('AlterConfigs')], note: 'Topic resources need it on the topic, Broker resources on the cluster' },
  [ApiKey.OffsetCommit]: { checks: [group('Read'), topic('Read')] },
  [ApiKey.OffsetFetch]: { checks: [group('Describe'), topic('Describe')], note: 'partitions of topics the principal may not Describe are left out' },
  [ApiKey.FindCoordinator]: { checks: [group('Describe'), transactionalId('Describe')], note: 'key type 1 (transactions) needs Describe on the TransactionalId' },
  [ApiKey.JoinGroup]: { checks: [group('Read')] },
  [ApiKey.SyncGroup]: { checks: [group('Read')] },
  [ApiKey.Heartbeat]: { checks: [group('Read')] },
  [ApiKey.LeaveGroup]: { checks: [group('Read')] },
  [ApiKey.DescribeGroups]: { checks: [{ resource: 'Group', operation: 'Describe', of: 'each-group' }] },
  [ApiKey.ListGroups]: { checks: [], note: 'Describe on the cluster lists every group; otherwise only the groups the principal may Describe' },
  [ApiKey.DeleteGroups]: { checks: [{ resource: 'Group', operation: 'Delete', of: 'each-group' }] },
  [ApiKey.OffsetDelete]: { checks: [group('Delete'), topic('Read')] },
  [ApiKey.OffsetForLeaderEpoch]: { checks: [topic('Describe')], asFollower: cluster('ClusterAction'), note: 'a follower (ReplicaId >= 0) needs ClusterAction on the cluster instead' },
  [ApiKey.ElectLeaders]: { checks: [cluster('Alter')] },
  [ApiKey.AlterPartitionReassignments]: { checks: [cluster('Alter')] },
  [ApiKey.ListPartitionReassignments]: { checks: [cluster('Describe')] },
  [ApiKey.SaslHandshake]: { checks: [], note: 'the authentication itself' },
  [ApiKey.SaslAuthenticate]: { checks: [], note: 'the authentication itself' },
  [ApiKey.DescribeAcls]: { checks: [cluster('Describe')] },
  [ApiKey.CreateAcls]: { checks: [cluster('Alter')] },
  [ApiKey.DeleteAcls]: { checks: [cluster('Alter')] },
  [ApiKey.DescribeClientQuotas]: { checks: [cluster('DescribeConfigs')] },
  [ApiKey.AlterClientQuotas]: { checks: [cluster('AlterConfigs')] },
  [ApiKey.DescribeUserScramCredentials]: { checks: [cluster('Describe')] },
  [ApiKey.AlterUserScramCredentials]: { checks: [cluster('Alter')] },
};

/** The rule for an API key, or undefined for an API with no rule (the dispatcher must refuse it). */
export function apiRule(apiKey: number): ApiRule | undefined {
  return API_RULES[apiKey];
}
