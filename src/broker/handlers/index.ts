// The handler for each API key of the registry in protocol/api.ts.
import { ApiKey, apiSpec } from '../../protocol/api.js';
import type { Handler } from '../request-context.js';
import { apiVersionsHandler } from './api-versions.js';
import { handleCreatePartitions } from './create-partitions.js';
import { handleCreateTopics } from './create-topics.js';
import { handleDeleteTopics } from './delete-topics.js';
import { handleFetch } from './fetch.js';
import { handleListOffsets } from './list-offsets.js';
import { handleMetadata } from './metadata.js';
import { handleProduce } from './produce.js';
import { handleDescribeConfigs } from './describe-configs.js';
import { handleAlterConfigs } from './alter-configs.js';
import { handleDeleteRecords } from './delete-records.js';
import { handleInitProducerId } from './init-producer-id.js';
import { handleAddPartitionsToTxn } from './add-partitions-to-txn.js';
import { handleAddOffsetsToTxn } from './add-offsets-to-txn.js';
import { handleEndTxn } from './end-txn.js';
import { handleWriteTxnMarkers } from './write-txn-markers.js';
import { handleTxnOffsetCommit } from './txn-offset-commit.js';
import { handleDescribeTransactions } from './describe-transactions.js';
import { handleListTransactions } from './list-transactions.js';
import { handleOffsetCommit } from './offset-commit.js';
import { handleOffsetFetch } from './offset-fetch.js';
import { handleFindCoordinator } from './find-coordinator.js';
import { handleJoinGroup } from './join-group.js';
import { handleHeartbeat } from './heartbeat.js';
import { handleLeaveGroup } from './leave-group.js';
import { handleSyncGroup } from './sync-group.js';
import { handleDescribeGroups } from './describe-groups.js';
import { handleListGroups } from './list-groups.js';
import { handleDeleteGroups } from './delete-groups.js';
import { handleOffsetForLeaderEpoch } from './offset-for-leader-epoch.js';
import { handleElectLeaders } from './elect-leaders.js';
import { handleOffsetDelete } from './offset-delete.js';
import { handleIncrementalAlterConfigs } from './incremental-alter-configs.js';
import { handleAlterPartitionReassignments } from './alter-partition-reassignments.js';
import { handleListPartitionReassignments } from './list-partition-reassignments.js';
import { handleDescribeUserScramCredentials } from './describe-user-scram-credentials.js';
import { handleAlterUserScramCredentials } from './alter-user-scram-credentials.js';
import { handleDescribeClientQuotas } from './describe-client-quotas.js';
import { handleAlterClientQuotas } from './alter-client-quotas.js';
import { handleCreateAcls } from './create-acls.js';
import { handleDescribeAcls } from './describe-acls.js';
import { handleDeleteAcls } from './delete-acls.js';
import { authorized } from '../authorize-request.js';
import { handleSaslHandshake } from './sasl-handshake.js';
import { handleSaslAuthenticate } from './sasl-authenticate.js';

export function createHandlers(): Map<number, Handler> {
  const handlers = new Map<number, Handler>([
    [ApiKey.Produce, handleProduce],
    [ApiKey.Fetch, handleFetch],
    [ApiKey.ListOffsets, handleListOffsets],
    [ApiKey.Metadata, handleMetadata],
    [ApiKey.CreateTopics, handleCreateTopics],
    [ApiKey.DeleteTopics, handleDeleteTopics],
    [ApiKey.CreatePartitions, handleCreatePartitions],
    [ApiKey.DeleteRecords, handleDeleteRecords],
    [ApiKey.InitProducerId, handleInitProducerId],
    [ApiKey.AddPartitionsToTxn, handleAddPartitionsToTxn],
    [ApiKey.AddOffsetsToTxn, handleAddOffsetsToTxn],
    [ApiKey.EndTxn, handleEndTxn],
    [ApiKey.WriteTxnMarkers, handleWriteTxnMarkers],
    [ApiKey.TxnOffsetCommit, handleTxnOffsetCommit],
    [ApiKey.DescribeTransactions, handleDescribeTransactions],
    [ApiKey.ListTransactions, handleListTransactions],
    [ApiKey.DescribeConfigs, handleDescribeConfigs],
    [ApiKey.AlterConfigs, handleAlterConfigs],
    [ApiKey.OffsetCommit, handleOffsetCommit],
    [ApiKey.OffsetFetch, handleOffsetFetch],
    [ApiKey.FindCoordinator, handleFindCoordinator],
    [ApiKey.JoinGroup, handleJoinGroup],
    [ApiKey.Heartbeat, handleHeartbeat],
    [ApiKey.LeaveGroup, handleLeaveGroup],
    [ApiKey.SyncGroup, handleSyncGroup],
    [ApiKey.DescribeGroups, handleDescribeGroups],
    [ApiKey.ListGroups, handleListGroups],
    [ApiKey.DeleteGroups, handleDeleteGroups],
    [ApiKey.OffsetForLeaderEpoch, handleOffsetForLeaderEpoch],
    [ApiKey.ElectLeaders, handleElectLeaders],
    [ApiKey.OffsetDelete, handleOffsetDelete],
    [ApiKey.IncrementalAlterConfigs, handleIncrementalAlterConfigs],
    [ApiKey.AlterPartitionReassignments, handleAlterPartitionReassignments],
    [ApiKey.ListPartitionReassignments, handleListPartitionReassignments],
    [ApiKey.DescribeUserScramCredentials, handleDescribeUserScramCredentials],
    [ApiKey.AlterUserScramCredentials, handleAlterUserScramCredentials],
    [ApiKey.DescribeClientQuotas, handleDescribeClientQuotas],
    [ApiKey.AlterClientQuotas, handleAlterClientQuotas],
    [ApiKey.CreateAcls, handleCreateAcls],
    [ApiKey.DescribeAcls, handleDescribeAcls],
    [ApiKey.DeleteAcls, handleDeleteAcls],
    [ApiKey.SaslHandshake, handleSaslHandshake],
    [ApiKey.SaslAuthenticate, handleSaslAuthenticate],
  ]);
  // ApiVersions advertises exactly the registry's APIs that have a handler here, so a schema registered
  // ahead of its handler is neither advertised nor served (the server refuses keys without a handler).
  handlers.set(ApiKey.ApiVersions, apiVersionsHandler(handlers));
  for (const [key, handler] of handlers) {
    if (!apiSpec(key)) throw new Error(`handler for API key ${key}, which protocol/api.ts does not register`);
    // Every API behind the authorizer's check (src/broker/authorize-request.ts; a no-op without one).
    handlers.set(key, authorized(key, handler));
  }
  return handlers;
}
