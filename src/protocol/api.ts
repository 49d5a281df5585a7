// The one registry of the Kafka APIs mq speaks: key, name, supported version range and the request and
// response schemas. The broker's router and the client's version negotiation are both built from it,
// and ApiVersionsResponse advertises these ranges for every API the broker has a handler for (the same
// list from every broker, because kafkajs reuses the seed broker's answer for all brokers). Ranges are
// non-flexible versions unless the spec names its first flexible version (`flexibleFrom`): from there on
// the request header is v2 and the response header v1 (both with a tagged-field section).
import type { Struct } from './codec.js';
import { ApiVersionsRequest, ApiVersionsResponse } from './messages/api-versions.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './messages/create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './messages/create-topics.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './messages/delete-topics.js';
import { FetchRequest, FetchResponse } from './messages/fetch.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './messages/list-offsets.js';
import { MetadataRequest, MetadataResponse } from './messages/metadata.js';
import { ProduceRequest, ProduceResponse } from './messages/produce.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from './messages/describe-configs.js';
import { AlterConfigsRequest, AlterConfigsResponse } from './messages/alter-configs.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from './messages/delete-records.js';
import { OffsetCommitRequest, OffsetCommitResponse } from './messages/offset-commit.js';
import { OffsetFetchRequest, OffsetFetchResponse } from './messages/offset-fetch.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from './messages/find-coordinator.js';
import { JoinGroupRequest, JoinGroupResponse } from './messages/join-group.js';
import { HeartbeatRequest, HeartbeatResponse } from './messages/heartbeat.js';
import { LeaveGroupRequest, LeaveGroupResponse } from './messages/leave-group.js';
import { SyncGroupRequest, SyncGroupResponse } from './messages/sync-group.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './messages/describe-groups.js';
import { LIST_GROUPS_FLEXIBLE_FROM, ListGroupsRequest, ListGroupsResponse } from './messages/list-groups.js';
import { OffsetDeleteRequest, OffsetDeleteResponse } from './messages/offset-delete.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from './messages/delete-groups.js';
import { InitProducerIdRequest, InitProducerIdResponse } from './messages/init-producer-id.js';
import { ADD_PARTITIONS_TO_TXN_FLEXIBLE_FROM, AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from './messages/add-partitions-to-txn.js';
import { ADD_OFFSETS_TO_TXN_FLEXIBLE_FROM, AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from './messages/add-offsets-to-txn.js';
import { END_TXN_FLEXIBLE_FROM, EndTxnRequest, EndTxnResponse } from './messages/end-txn.js';
import { WRITE_TXN_MARKERS_FLEXIBLE_FROM, WriteTxnMarkersRequest, WriteTxnMarkersResponse } from './messages/write-txn-markers.js';
import { TXN_OFFSET_COMMIT_FLEXIBLE_FROM, TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './messages/txn-offset-commit.js';
import { DescribeTransactionsRequest, DescribeTransactionsResponse } from './messages/describe-transactions.js';
import { ListTransactionsRequest, ListTransactionsResponse } from './messages/list-transactions.js';
import { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from './messages/offset-for-leader-epoch.js';
import { ElectLeadersRequest, ElectLeadersResponse } from './messages/elect-leaders.js';
import { INCREMENTAL_ALTER_CONFIGS_FLEXIBLE_FROM, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from './messages/incremental-alter-configs.js';
import { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from './messages/alter-partition-reassignments.js';
import { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from './messages/list-partition-reassignments.js';
import { SaslHandshakeRequest, SaslHandshakeResponse } from './messages/sasl-handshake.js';
import { SASL_AUTHENTICATE_FLEXIBLE_FROM, SaslAuthenticateRequest, SaslAuthenticateResponse } from './messages/sasl-authenticate.js';
import { DescribeAclsRequest, DescribeAclsResponse } from './messages/describe-acls.js';
import { CreateAclsRequest, CreateAclsResponse } from './messages/create-acls.js';
import { DeleteAclsRequest, DeleteAclsResponse } from './messages/delete-acls.js';
import { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from './messages/describe-client-quotas.js';
import { AlterClientQuotasRequest, AlterClientQuotasResponse } from './messages/alter-client-quotas.js';
import { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from './messages/describe-user-scram-credentials.js';
import { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse } from './messages/alter-user-scram-credentials.js';

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  CreatePartitions: 37,
  DeleteRecords: 21,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeTransactions: 65,
  ListTransactions: 66,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  DeleteGroups: 42,
  OffsetForLeaderEpoch: 23,
  ElectLeaders: 43,
  OffsetDelete: 47,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  SaslHandshake: 17,
  SaslAuthenticate: 36,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeClientQuotas: 48,
  AlterClientQuotas: 49,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
} as const;

export interface ApiSpec<Req = any, Res = any> {
  key: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  request: Struct<Req>;
  response: Struct<Res>;
  /** The first flexible version, when the range reaches one (request header v2, response header v1). */
  flexibleFrom?: number;
}

function spec<Req, Res>(
  key: number, name: string, minVersion: number, maxVersion: number, request: Struct<Req>, response: Struct<Res>,
  flexibleFrom?: number,
): ApiSpec<Req, Res> {
  return Object.freeze({ key, name, minVersion, maxVersion, request, response, flexibleFrom });
}

/** Whether `version` of the API is flexible (its headers carry tagged fields). ApiVersions is the exception handled in header.ts. */
export function isFlexible(s: ApiSpec, version: number): boolean {
  return s.flexibleFrom !== undefined && version >= s.flexibleFrom;
}

/** Ranges from PROTOCOL.md §2.0 ("Advertise"); Produce >= 3 and Fetch >= 4 mean RecordBatch v2 only. */
export const apis: readonly ApiSpec[] = Object.freeze([
  // Produce from v0, not PROTOCOL.md's 3: librdkafka 2.0.2 sends gzip/snappy only to a broker whose
  // Produce range includes v0 (messages/produce.ts); clients still send v7.
  spec(ApiKey.Produce, 'Produce', 0, 7, ProduceRequest, ProduceResponse),
  spec(ApiKey.Fetch, 'Fetch', 4, 11, FetchRequest, FetchResponse),
  spec(ApiKey.ListOffsets, 'ListOffsets', 1, 3, ListOffsetsRequest, ListOffsetsResponse),
  spec(ApiKey.Metadata, 'Metadata', 0, 4, MetadataRequest, MetadataResponse),
  spec(ApiKey.ApiVersions, 'ApiVersions', 0, 2, ApiVersionsRequest, ApiVersionsResponse),
  spec(ApiKey.CreateTopics, 'CreateTopics', 0, 4, CreateTopicsRequest, CreateTopicsResponse),
  spec(ApiKey.DeleteTopics, 'DeleteTopics', 0, 1, DeleteTopicsRequest, DeleteTopicsResponse),
  spec(ApiKey.CreatePartitions, 'CreatePartitions', 0, 1, CreatePartitionsRequest, CreatePartitionsResponse),
  spec(ApiKey.DeleteRecords, 'DeleteRecords', 0, 1, DeleteRecordsRequest, DeleteRecordsResponse),
  // Idempotent (and later transactional) producers; v0 must be in range for librdkafka's IdempotentProducer feature.
  spec(ApiKey.InitProducerId, 'InitProducerId', 0, 1, InitProducerIdRequest, InitProducerIdResponse),
  // Transactions (src/transaction/): schemas only until the partitions can finish a transaction, so not advertised yet.
  spec(ApiKey.AddPartitionsToTxn, 'AddPartitionsToTxn', 0, 3, AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, ADD_PARTITIONS_TO_TXN_FLEXIBLE_FROM),
  spec(ApiKey.AddOffsetsToTxn, 'AddOffsetsToTxn', 0, 3, AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, ADD_OFFSETS_TO_TXN_FLEXIBLE_FROM),
  spec(ApiKey.EndTxn, 'EndTxn', 0, 3, EndTxnRequest, EndTxnResponse, END_TXN_FLEXIBLE_FROM),
  spec(ApiKey.WriteTxnMarkers, 'WriteTxnMarkers', 0, 1, WriteTxnMarkersRequest, WriteTxnMarkersResponse, WRITE_TXN_MARKERS_FLEXIBLE_FROM),
  spec(ApiKey.TxnOffsetCommit, 'TxnOffsetCommit', 0, 3, TxnOffsetCommitRequest, TxnOffsetCommitResponse, TXN_OFFSET_COMMIT_FLEXIBLE_FROM),
  spec(ApiKey.DescribeTransactions, 'DescribeTransactions', 0, 0, DescribeTransactionsRequest, DescribeTransactionsResponse, 0),
  spec(ApiKey.ListTransactions, 'ListTransactions', 0, 0, ListTransactionsRequest, ListTransactionsResponse, 0),
  spec(ApiKey.DescribeConfigs, 'DescribeConfigs', 0, 2, DescribeConfigsRequest, DescribeConfigsResponse),
  spec(ApiKey.AlterConfigs, 'AlterConfigs', 0, 1, AlterConfigsRequest, AlterConfigsResponse),
  spec(ApiKey.OffsetCommit, 'OffsetCommit', 2, 5, OffsetCommitRequest, OffsetCommitResponse),
  spec(ApiKey.OffsetFetch, 'OffsetFetch', 1, 4, OffsetFetchRequest, OffsetFetchResponse),
  spec(ApiKey.FindCoordinator, 'FindCoordinator', 0, 2, FindCoordinatorRequest, FindCoordinatorResponse),
  spec(ApiKey.JoinGroup, 'JoinGroup', 0, 5, JoinGroupRequest, JoinGroupResponse),
  spec(ApiKey.Heartbeat, 'Heartbeat', 0, 3, HeartbeatRequest, HeartbeatResponse),
  spec(ApiKey.LeaveGroup, 'LeaveGroup', 0, 2, LeaveGroupRequest, LeaveGroupResponse),
  spec(ApiKey.SyncGroup, 'SyncGroup', 0, 3, SyncGroupRequest, SyncGroupResponse),
  spec(ApiKey.DescribeGroups, 'DescribeGroups', 0, 2, DescribeGroupsRequest, DescribeGroupsResponse),
  // v4 carries the states filter and each group's state (librdkafka's ListConsumerGroups); v3+ are flexible.
  spec(ApiKey.ListGroups, 'ListGroups', 0, 4, ListGroupsRequest, ListGroupsResponse, LIST_GROUPS_FLEXIBLE_FROM),
  spec(ApiKey.DeleteGroups, 'DeleteGroups', 0, 1, DeleteGroupsRequest, DeleteGroupsResponse),
  // Followers ask the leader where their epochs end (replication); kjs and rdk 2.0.2 never send it.
  spec(ApiKey.OffsetForLeaderEpoch, 'OffsetForLeaderEpoch', 0, 3, OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse),
  // Preferred leader elections (`mq rebalance leaders`); answered by the controller only.
  spec(ApiKey.ElectLeaders, 'ElectLeaders', 0, 1, ElectLeadersRequest, ElectLeadersResponse),
  // Deletes a group's committed offsets of some partitions (librdkafka DeleteConsumerGroupOffsets, `mq groups delete-offsets`).
  spec(ApiKey.OffsetDelete, 'OffsetDelete', 0, 1, OffsetDeleteRequest, OffsetDeleteResponse),
  // The reassignment throttle as a broker config, and topic configs key by key; v1 (flexible) is what Kafka's Java admin sends.
  spec(ApiKey.IncrementalAlterConfigs, 'IncrementalAlterConfigs', 0, 1, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, INCREMENTAL_ALTER_CONFIGS_FLEXIBLE_FROM),
  // KIP-455 reassignments through any broker; flexible from v0.
  spec(ApiKey.AlterPartitionReassignments, 'AlterPartitionReassignments', 0, 0, AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, 0),
  spec(ApiKey.ListPartitionReassignments, 'ListPartitionReassignments', 0, 0, ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, 0),
  // Security (src/security/). Advertised only once the broker has their handlers (advertisedApiVersions).
  spec(ApiKey.SaslHandshake, 'SaslHandshake', 0, 1, SaslHandshakeRequest, SaslHandshakeResponse),
  spec(ApiKey.SaslAuthenticate, 'SaslAuthenticate', 0, 2, SaslAuthenticateRequest, SaslAuthenticateResponse, SASL_AUTHENTICATE_FLEXIBLE_FROM),
  spec(ApiKey.DescribeAcls, 'DescribeAcls', 0, 1, DescribeAclsRequest, DescribeAclsResponse),
  spec(ApiKey.CreateAcls, 'CreateAcls', 0, 1, CreateAclsRequest, CreateAclsResponse),
  spec(ApiKey.DeleteAcls, 'DeleteAcls', 0, 1, DeleteAclsRequest, DeleteAclsResponse),
  spec(ApiKey.DescribeClientQuotas, 'DescribeClientQuotas', 0, 1, DescribeClientQuotasRequest, DescribeClientQuotasResponse, 1),
  spec(ApiKey.AlterClientQuotas, 'AlterClientQuotas', 0, 1, AlterClientQuotasRequest, AlterClientQuotasResponse, 1),
  spec(ApiKey.DescribeUserScramCredentials, 'DescribeUserScramCredentials', 0, 0, DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse, 0),
  spec(ApiKey.AlterUserScramCredentials, 'AlterUserScramCredentials', 0, 0, AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse, 0),
]);

const byKey = new Map(apis.map((a) => [a.key, a]));

/** The spec of an API key, or undefined when mq does not implement it (the broker then closes the connection). */
export function apiSpec(key: number): ApiSpec | undefined {
  return byKey.get(key);
}

/**
 * The ApiVersionsResponse.apiKeys list the broker advertises (same list from every broker): the registry's
 * APIs that `served` has (the broker passes its handler table, so a schema registered before its handler
 * exists is not advertised); every registered API when `served` is omitted.
 */
export function advertisedApiVersions(
  served: { has(apiKey: number): boolean } = byKey,
): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return apis.filter((a) => served.has(a.key)).map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion }));
}
