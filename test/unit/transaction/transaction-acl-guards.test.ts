// The transaction APIs behind the authorizer, before their handlers exist: each API's rule
// (src/security/api-operations.ts) and guard (src/broker/acl-guards.ts) evaluated by authorized() with a
// real AclAuthorizer, around a recording handler. The request context holds only what authorization
// reads (the principal, the authorizer, the request's version).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authorized } from '../../../src/broker/authorize-request.js';
import type { RequestContext } from '../../../src/broker/request-context.js';
import { ApiKey } from '../../../src/protocol/api.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { AclAuthorizer, type AclBinding } from '../../../src/security/acl.js';

const allow = (resourceType: AclBinding['resourceType'], resourceName: string, operation: AclBinding['operation']): AclBinding => ({
  resourceType, resourceName, patternType: 'Literal', principal: 'User:alice', host: '*', operation, permission: 'Allow',
});

function context(bindings: AclBinding[], apiVersion = 0): RequestContext {
  const authorizer = new AclAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false });
  authorizer.setBindings(bindings);
  return {
    header: { apiKey: 0, apiVersion, correlationId: 1, clientId: 'test' },
    peer: '10.0.0.1:5000',
    broker: { authorizer },
    session: { principal: 'User:alice', host: '10.0.0.1' },
    auth: null,
  } as unknown as RequestContext;
}

/** authorized(key, handler) over a handler that records what it was given and answers `answer(req)`. */
function guarded(key: number, answer: (req: any) => any): { seen: any[]; call(req: any, ctx: RequestContext): Promise<any> } {
  const seen: any[] = [];
  const h = authorized(key, async (req) => { seen.push(req); return answer(req); });
  return { seen, call: (req, ctx) => h(req, ctx) };
}

const TOPIC_DENIED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const TXN_DENIED = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

describe('transaction APIs behind the authorizer', () => {
  test('AddPartitionsToTxn: Write on the TransactionalId, then Write on each topic (refused topics answered per partition)', async () => {
    const g = guarded(ApiKey.AddPartitionsToTxn, (req) => ({
      throttleTimeMs: 0,
      resultsByTopic: req.topics.map((t: any) => ({ name: t.name, resultsByPartition: t.partitions.map((p: number) => ({ partitionIndex: p, partitionErrorCode: 0 })) })),
    }));
    const req = { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, topics: [{ name: 'orders', partitions: [0, 1] }, { name: 'audit', partitions: [2] }] };
    const noTxn = await g.call(req, context([allow('Topic', 'orders', 'Write')]));
    assert.equal(g.seen.length, 0, 'refused whole: the handler never ran');
    assert.deepEqual(noTxn.resultsByTopic.flatMap((t: any) => t.resultsByPartition.map((p: any) => p.partitionErrorCode)), [TXN_DENIED, TXN_DENIED, TXN_DENIED]);
    const some = await g.call(req, context([allow('TransactionalId', 'tx', 'Write'), allow('Topic', 'orders', 'Write')]));
    assert.deepEqual(g.seen[0].topics.map((t: any) => t.name), ['orders']);
    assert.deepEqual(some.resultsByTopic, [
      { name: 'orders', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }, { partitionIndex: 1, partitionErrorCode: 0 }] },
      { name: 'audit', resultsByPartition: [{ partitionIndex: 2, partitionErrorCode: TOPIC_DENIED }] },
    ]);
  });

  test('AddOffsetsToTxn needs Read on the group too; EndTxn only Write on the TransactionalId', async () => {
    const ok = (): any => ({ throttleTimeMs: 0, errorCode: 0 });
    const offsets = guarded(ApiKey.AddOffsetsToTxn, ok);
    const req = { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, groupId: 'billing' };
    assert.equal((await offsets.call(req, context([allow('TransactionalId', 'tx', 'Write')]))).errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    assert.equal((await offsets.call(req, context([allow('TransactionalId', 'tx', 'Write'), allow('Group', 'billing', 'Read')]))).errorCode, 0);
    const end = guarded(ApiKey.EndTxn, ok);
    const endReq = { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, committed: true };
    assert.equal((await end.call(endReq, context([allow('TransactionalId', 'other', 'Write')]))).errorCode, TXN_DENIED);
    assert.equal((await end.call(endReq, context([allow('TransactionalId', 'tx', 'Write')]))).errorCode, 0);
  });

  test('TxnOffsetCommit: Write on the TransactionalId, Read on the group, Read on each topic', async () => {
    const g = guarded(ApiKey.TxnOffsetCommit, (req) => ({
      throttleTimeMs: 0, topics: req.topics.map((t: any) => ({ name: t.name, partitions: t.partitions.map((p: any) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })),
    }));
    const part = { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null };
    const req = {
      transactionalId: 'tx', groupId: 'billing', producerId: 1n, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'orders', partitions: [part] }, { name: 'audit', partitions: [part] }],
    };
    const noGroup = await g.call(req, context([allow('TransactionalId', 'tx', 'Write'), allow('Topic', 'orders', 'Read')]));
    assert.deepEqual(noGroup.topics.map((t: any) => t.partitions[0].errorCode), [ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.GROUP_AUTHORIZATION_FAILED]);
    const res = await g.call(req, context([allow('TransactionalId', 'tx', 'Write'), allow('Group', 'billing', 'Read'), allow('Topic', 'orders', 'Read')]));
    assert.deepEqual(res.topics.map((t: any) => [t.name, t.partitions[0].errorCode]), [['orders', 0], ['audit', TOPIC_DENIED]]);
  });

  test('WriteTxnMarkers: ClusterAction on the cluster (brokers only)', async () => {
    const g = guarded(ApiKey.WriteTxnMarkers, () => ({ markers: [] }));
    const req = { markers: [{ producerId: 7n, producerEpoch: 0, transactionResult: true, topics: [{ name: 'orders', partitionIndexes: [0, 3] }], coordinatorEpoch: 0 }] };
    const refused = await g.call(req, context([allow('Topic', 'orders', 'All')]));
    assert.deepEqual(refused, { markers: [{ producerId: 7n, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }, { partitionIndex: 3, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }] }] }] });
    assert.equal(g.seen.length, 0);
    await g.call(req, context([allow('Cluster', 'kafka-cluster', 'ClusterAction')]));
    assert.equal(g.seen.length, 1);
  });

  test('DescribeTransactions answers the ids the principal may not Describe with TRANSACTIONAL_ID_AUTHORIZATION_FAILED; ListTransactions leaves them out', async () => {
    const described = guarded(ApiKey.DescribeTransactions, (req) => ({
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id: string) => ({ errorCode: 0, transactionalId: id, transactionState: 'Empty', transactionTimeoutMs: 1, transactionStartTimeMs: -1n, producerId: 1n, producerEpoch: 0, topicPartitions: [] })),
    }));
    const ctx = context([allow('TransactionalId', 'mine', 'Describe')]);
    const res = await described.call({ transactionalIds: ['mine', 'theirs'] }, ctx);
    assert.deepEqual(described.seen[0].transactionalIds, ['mine']);
    assert.deepEqual(res.transactionStates.map((s: any) => [s.transactionalId, s.errorCode]), [['mine', 0], ['theirs', TXN_DENIED]]);
    const listed = guarded(ApiKey.ListTransactions, () => ({
      throttleTimeMs: 0, errorCode: 0, unknownStateFilters: [],
      transactionStates: [{ transactionalId: 'mine', producerId: 1n, transactionState: 'Ongoing' }, { transactionalId: 'theirs', producerId: 2n, transactionState: 'Ongoing' }],
    }));
    const all = await listed.call({ stateFilters: [], producerIdFilters: [] }, ctx);
    assert.deepEqual(all.transactionStates.map((s: any) => s.transactionalId), ['mine']);
  });
});
