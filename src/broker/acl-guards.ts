// Per API, what the authorizer needs besides the one table (src/security/api-operations.ts API_RULES):
//   touches  which names of the request each of the rule's scopes means (its topics, its group, ...);
//   refuse   the API's answer when a cluster, group or transactional-id check refuses the whole request,
//            in the API's own response shape (a top-level error code where it has one, else every item);
//   serve    (APIs checked per name) hands the handler only the allowed part of the request and answers
//            the refused names in the same response, or filters the answer (Metadata of all topics,
//            ListGroups, OffsetFetch of all topics) to what the principal may Describe.
// src/broker/authorize-request.ts evaluates the table against `touches` and calls these.
import { ApiKey } from '../protocol/api.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../protocol/messages/create-acls.js';
import type { DeleteAclsRequest, DeleteAclsResponse } from '../protocol/messages/delete-acls.js';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../protocol/messages/alter-client-quotas.js';
import type { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse } from '../protocol/messages/alter-user-scram-credentials.js';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../protocol/messages/create-partitions.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/messages/create-topics.js';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/messages/delete-groups.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../protocol/messages/delete-records.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../protocol/messages/delete-topics.js';
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../protocol/messages/describe-configs.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../protocol/messages/describe-groups.js';
import type { ElectLeadersRequest, ElectLeadersResponse } from '../protocol/messages/elect-leaders.js';
import type { FetchRequest, FetchResponse } from '../protocol/messages/fetch.js';
import type { FindCoordinatorRequest } from '../protocol/messages/find-coordinator.js';
import type { ListGroupsResponse } from '../protocol/messages/list-groups.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import type { MetadataRequest, MetadataResponse } from '../protocol/messages/metadata.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/messages/offset-commit.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../protocol/messages/offset-delete.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/messages/init-producer-id.js';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../protocol/messages/add-partitions-to-txn.js';
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../protocol/messages/add-offsets-to-txn.js';
import type { EndTxnRequest, EndTxnResponse } from '../protocol/messages/end-txn.js';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../protocol/messages/write-txn-markers.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../protocol/messages/txn-offset-commit.js';
import type { DescribeTransactionsRequest, DescribeTransactionsResponse } from '../protocol/messages/describe-transactions.js';
import type { ListTransactionsResponse } from '../protocol/messages/list-transactions.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/messages/offset-fetch.js';
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../protocol/messages/offset-for-leader-epoch.js';
import type { ProduceRequest, ProduceResponse } from '../protocol/messages/produce.js';
import type { AclOperationName, ResourceTypeName } from '../security/acl.js';
import type { RequestContext } from './request-context.js';

/** The names a request touches, per scope of API_RULES. */
export interface Touches {
  topics?: readonly string[];
  /** The request's one group ('group' scope). */
  group?: string;
  groups?: readonly string[];
  /** Broker config resources ('each-broker': checked on the cluster). */
  brokers?: readonly string[];
  transactionalId?: string;
  /** A broker asking as a follower (ReplicaId >= 0): the rule's asFollower check replaces its checks. */
  follower?: boolean;
}

/** What the per-name checks refused, and the authorizer for filtering an answer. */
export interface Verdict {
  topics: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  brokers: ReadonlySet<string>;
  allowed(operation: AclOperationName, resourceType: ResourceTypeName, name: string): boolean;
}

export interface Guard<Req = any, Res = any> {
  touches(req: Req, version: number): Touches;
  refuse(req: Req, code: number, message: string): Res;
  serve?(req: Req, v: Verdict, handler: (req: Req) => Promise<Res | null>, ctx: RequestContext): Promise<Res | null>;
}

const TOPIC_DENIED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const GROUP_DENIED = ErrorCode.GROUP_AUTHORIZATION_FAILED;
const CLUSTER_DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;

/** Splits `items` into those the verdict allows and those it refused. */
function split<T>(items: readonly T[], denied: ReadonlySet<string>, name: (t: T) => string): [T[], T[]] {
  const allowed: T[] = [];
  const refused: T[] = [];
  for (const t of items) (denied.has(name(t)) ? refused : allowed).push(t);
  return [allowed, refused];
}

/**
 * The usual per-topic serve: the handler gets the request with only its allowed items (`items`/`withItems`),
 * and the refused ones are appended to the answer by `answer`. Nothing refused: the request as sent.
 */
function perName<Req, Res, T>(
  denied: (v: Verdict) => ReadonlySet<string>, items: (r: Req) => readonly T[], withItems: (r: Req, items: T[]) => Req,
  name: (t: T) => string, answer: (res: Res, refused: T[]) => void,
): NonNullable<Guard<Req, Res>['serve']> {
  return async (req, v, handler, ctx) => {
    const set = denied(v);
    if (set.size === 0) return handler(req);
    const [allowed, refused] = split(items(req), set, name);
    const res = await handler(withItems(req, allowed));
    if (res !== null) answer(res, refused);
    // No answer to carry the refusal (Produce acks=0): Kafka closes the connection so the client notices.
    else if (refused.length > 0) ctx.closeAfterResponse?.(`${ctx.session.principal} is not authorized for ${refused.map(name).join(', ').slice(0, 500)} (a request without a response)`);
    return res;
  };
}

const topicsOf = (v: Verdict): ReadonlySet<string> => v.topics;

const produce: Guard<ProduceRequest, ProduceResponse> = {
  touches: (r) => ({ topics: r.topicData.map((t) => t.name), transactionalId: r.transactionalId ?? undefined }),
  refuse: (r, code) => ({ throttleTimeMs: 0, responses: refusedProduce(r.topicData, code) }),
  serve: perName(topicsOf, (r) => r.topicData, (r, topicData) => ({ ...r, topicData }), (t) => t.name,
    (res, refused) => { res.responses.push(...refusedProduce(refused, TOPIC_DENIED)); }),
};
function refusedProduce(topics: ProduceRequest['topicData'], errorCode: number): ProduceResponse['responses'] {
  return topics.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n })) }));
}

const fetch: Guard<FetchRequest, FetchResponse> = {
  touches: (r) => ({ topics: r.topics.map((t) => t.topic), follower: r.replicaId >= 0 }),
  refuse: (r, code) => ({ throttleTimeMs: 0, errorCode: code, sessionId: 0, responses: refusedFetch(r.topics, code) }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.topic,
    (res, refused) => { res.responses.push(...refusedFetch(refused, TOPIC_DENIED)); }),
};
function refusedFetch(topics: FetchRequest['topics'], errorCode: number): FetchResponse['responses'] {
  return topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partition, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n,
      abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0),
    })),
  }));
}

const listOffsets: Guard<ListOffsetsRequest, ListOffsetsResponse> = {
  touches: (r) => ({ topics: r.topics.map((t) => t.name) }),
  refuse: (r, code) => ({ throttleTimeMs: 0, topics: refusedListOffsets(r.topics, code) }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.name,
    (res, refused) => { res.topics.push(...refusedListOffsets(refused, TOPIC_DENIED)); }),
};
function refusedListOffsets(topics: ListOffsetsRequest['topics'], errorCode: number): ListOffsetsResponse['topics'] {
  return topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, timestamp: -1n, offset: -1n })) }));
}

/**
 * Metadata: all topics -> only those the principal may Describe; named ones it may not Describe ->
 * TOPIC_AUTHORIZATION_FAILED; a named topic that does not exist and would be auto-created needs Create on
 * the cluster or the topic, else TOPIC_AUTHORIZATION_FAILED too (Kafka's answers).
 */
const metadata: Guard<MetadataRequest, MetadataResponse> = {
  touches: (r, version) => ({ topics: r.topics === null || (version === 0 && r.topics.length === 0) ? [] : r.topics.map((t) => t.name) }),
  refuse: (r) => ({ throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: -1, topics: (r.topics ?? []).map((t) => deniedTopic(t.name)) }),
  serve: async (req, v, handler, ctx) => {
    const version = ctx.header.apiVersion;
    if (req.topics === null || (version === 0 && req.topics.length === 0)) {
      const res = await handler(req);
      if (res !== null) res.topics = res.topics.filter((t) => v.allowed('Describe', 'Topic', t.name));
      return res;
    }
    const autoCreate = ctx.broker.config.autoCreateTopicsEnable && (version < 4 || req.allowAutoTopicCreation);
    const mayCreate = (name: string): boolean => v.allowed('Create', 'Cluster', 'kafka-cluster') || v.allowed('Create', 'Topic', name);
    const refused = req.topics.filter((t) => v.topics.has(t.name) || (autoCreate && !ctx.broker.authority.topic(t.name) && !mayCreate(t.name)));
    if (refused.length === 0) return handler(req);
    const served = req.topics.filter((t) => !refused.includes(t));
    // v0 reads an empty list as "all topics": then the answer's topics are all dropped.
    const res = await handler({ ...req, topics: served });
    if (res !== null) {
      if (served.length === 0) res.topics = [];
      res.topics.push(...refused.map((t) => deniedTopic(t.name)));
    }
    return res;
  },
};
function deniedTopic(name: string): MetadataResponse['topics'][number] {
  return { errorCode: TOPIC_DENIED, name, isInternal: false, partitions: [] };
}

const createTopics: Guard<CreateTopicsRequest, CreateTopicsResponse> = {
  touches: (r) => ({ topics: r.topics.map((t) => t.name) }),
  refuse: (r, code, message) => ({ throttleTimeMs: 0, topics: r.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: message })) }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.name,
    (res, refused) => { res.topics.push(...refused.map((t) => ({ name: t.name, errorCode: TOPIC_DENIED, errorMessage: `not allowed to create topic ${t.name}` }))); }),
};

const deleteTopics: Guard<DeleteTopicsRequest, DeleteTopicsResponse> = {
  touches: (r) => ({ topics: r.topicNames }),
  refuse: (r, code) => ({ throttleTimeMs: 0, responses: r.topicNames.map((name) => ({ name, errorCode: code })) }),
  serve: perName(topicsOf, (r) => r.topicNames, (r, topicNames) => ({ ...r, topicNames }), (n) => n,
    (res, refused) => { res.responses.push(...refused.map((name) => ({ name, errorCode: TOPIC_DENIED }))); }),
};

const createPartitions: Guard<CreatePartitionsRequest, CreatePartitionsResponse> = {
  touches: (r) => ({ topics: r.topics.map((t) => t.name) }),
  refuse: (r, code, message) => ({ throttleTimeMs: 0, results: r.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: message })) }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.name,
    (res, refused) => { res.results.push(...refused.map((t) => ({ name: t.name, errorCode: TOPIC_DENIED, errorMessage: `not allowed to alter topic ${t.name}` }))); }),
};

const deleteRecords: Guard<DeleteRecordsRequest, DeleteRecordsResponse> = {
  touches: (r) => ({ topics: r.topics.map((t) => t.name) }),
  refuse: (r, code) => ({ throttleTimeMs: 0, topics: refusedDeleteRecords(r.topics, code) }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.name,
    (res, refused) => { res.topics.push(...refusedDeleteRecords(refused, TOPIC_DENIED)); }),
};
function refusedDeleteRecords(topics: DeleteRecordsRequest['topics'], errorCode: number): DeleteRecordsResponse['topics'] {
  return topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })) }));
}

/** Config resources: type 2 is a Topic (checked on the topic); any other (Broker, BrokerLogger) on the cluster. */
const TOPIC_RESOURCE = 2;
interface ConfigResource { resourceType: number; resourceName: string }
interface ConfigResult { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }
function configGuard<Req extends { resources: ConfigResource[] }, Res>(
  results: (res: Res) => ConfigResult[], make: (results: ConfigResult[]) => Res, extra: Partial<ConfigResult> & Record<string, unknown> = {},
): Guard<Req, Res> {
  const refusedOne = (r: ConfigResource, errorCode: number, errorMessage: string): ConfigResult =>
    ({ errorCode, errorMessage, resourceType: r.resourceType, resourceName: r.resourceName, ...extra });
  const deniedOne = (v: Verdict) => (r: ConfigResource): boolean => (r.resourceType === TOPIC_RESOURCE ? v.topics : v.brokers).has(r.resourceName);
  return {
    touches: (r) => ({
      topics: r.resources.filter((x) => x.resourceType === TOPIC_RESOURCE).map((x) => x.resourceName),
      brokers: r.resources.filter((x) => x.resourceType !== TOPIC_RESOURCE).map((x) => x.resourceName),
    }),
    refuse: (r, code, message) => make(r.resources.map((x) => refusedOne(x, code, message))),
    serve: async (req, v, handler) => {
      const denied = deniedOne(v);
      if (!req.resources.some(denied)) return handler(req);
      const res = await handler({ ...req, resources: req.resources.filter((x) => !denied(x)) });
      if (res !== null) {
        results(res).push(...req.resources.filter(denied).map((x) => (x.resourceType === TOPIC_RESOURCE
          ? refusedOne(x, TOPIC_DENIED, `not allowed to access the configs of topic ${x.resourceName}`)
          : refusedOne(x, CLUSTER_DENIED, `not allowed to access the configs of broker ${x.resourceName}`))));
      }
      return res;
    },
  };
}

const offsetCommit: Guard<OffsetCommitRequest, OffsetCommitResponse> = {
  touches: (r) => ({ group: r.groupId, topics: r.topics.map((t) => t.name) }),
  refuse: (r, code) => ({ throttleTimeMs: 0, topics: refusedPartitions(r.topics, code) }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.name,
    (res, refused) => { res.topics.push(...refusedPartitions(refused, TOPIC_DENIED)); }),
};
function refusedPartitions(topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[], errorCode: number): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
  return topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
}

const offsetFetch: Guard<OffsetFetchRequest, OffsetFetchResponse> = {
  touches: (r) => ({ group: r.groupId, topics: (r.topics ?? []).map((t) => t.name) }),
  refuse: (r, code) => ({ throttleTimeMs: 0, errorCode: code, topics: refusedOffsetFetch(r.topics ?? [], code) }),
  serve: async (req, v, handler, ctx) => {
    if (req.topics === null) {
      const res = await handler(req);
      if (res !== null) res.topics = res.topics.filter((t) => v.allowed('Describe', 'Topic', t.name));
      return res;
    }
    return perName<OffsetFetchRequest, OffsetFetchResponse, NonNullable<OffsetFetchRequest['topics']>[number]>(
      topicsOf, (r) => r.topics!, (r, topics) => ({ ...r, topics }), (t) => t.name,
      (res, refused) => { res.topics.push(...refusedOffsetFetch(refused, TOPIC_DENIED)); },
    )(req, v, handler, ctx);
  },
};
function refusedOffsetFetch(topics: NonNullable<OffsetFetchRequest['topics']>, errorCode: number): OffsetFetchResponse['topics'] {
  return topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, metadata: null, errorCode })) }));
}

/** Group APIs answered whole with a top-level code: the rest of the response is empty. */
function groupCall<Req extends { groupId: string }, Res>(rest: Omit<Res, 'errorCode' | 'throttleTimeMs'>): Guard<Req, Res> {
  return { touches: (r) => ({ group: r.groupId }), refuse: (_r, errorCode) => ({ throttleTimeMs: 0, errorCode, ...rest }) as Res };
}

const initProducerId: Guard<InitProducerIdRequest, InitProducerIdResponse> = {
  touches: (r) => ({ transactionalId: r.transactionalId ?? undefined }),
  refuse: (_r, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }),
};

const TXN_ID_DENIED = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

/** AddPartitionsToTxn has no top-level code: a refusal is every partition's; refused topics are answered per topic. */
const addPartitionsToTxn: Guard<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse> = {
  touches: (r) => ({ transactionalId: r.transactionalId, topics: r.topics.map((t) => t.name) }),
  refuse: (r, code) => ({ throttleTimeMs: 0, resultsByTopic: refusedTxnPartitions(r.topics, code) }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.name,
    (res, refused) => { res.resultsByTopic.push(...refusedTxnPartitions(refused, TOPIC_DENIED)); }),
};
function refusedTxnPartitions(topics: AddPartitionsToTxnRequest['topics'], partitionErrorCode: number): AddPartitionsToTxnResponse['resultsByTopic'] {
  return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode })) }));
}

const addOffsetsToTxn: Guard<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse> = {
  touches: (r) => ({ transactionalId: r.transactionalId, group: r.groupId }),
  refuse: (_r, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};

const endTxn: Guard<EndTxnRequest, EndTxnResponse> = {
  touches: (r) => ({ transactionalId: r.transactionalId }),
  refuse: (_r, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};

/** WriteTxnMarkers (brokers only) has no top-level code: every named partition carries the refusal. */
const writeTxnMarkers: Guard<WriteTxnMarkersRequest, WriteTxnMarkersResponse> = {
  touches: () => ({}),
  refuse: (r, errorCode) => ({
    markers: r.markers.map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })) })),
    })),
  }),
};

const txnOffsetCommit: Guard<TxnOffsetCommitRequest, TxnOffsetCommitResponse> = {
  touches: (r) => ({ transactionalId: r.transactionalId, group: r.groupId, topics: r.topics.map((t) => t.name) }),
  refuse: (r, code) => ({ throttleTimeMs: 0, topics: refusedPartitions(r.topics, code) }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.name,
    (res, refused) => { res.topics.push(...refusedPartitions(refused, TOPIC_DENIED)); }),
};

/** DescribeTransactions: the ids the principal may not Describe are answered TRANSACTIONAL_ID_AUTHORIZATION_FAILED; the handler gets the rest. */
const describeTransactions: Guard<DescribeTransactionsRequest, DescribeTransactionsResponse> = {
  touches: () => ({}),
  refuse: (r, errorCode) => ({ throttleTimeMs: 0, transactionStates: r.transactionalIds.map((id) => refusedTransaction(id, errorCode)) }),
  serve: async (req, v, handler) => {
    const refused = req.transactionalIds.filter((id) => !v.allowed('Describe', 'TransactionalId', id));
    if (refused.length === 0) return handler(req);
    const res = await handler({ ...req, transactionalIds: req.transactionalIds.filter((id) => !refused.includes(id)) });
    if (res !== null) res.transactionStates.push(...refused.map((id) => refusedTransaction(id, TXN_ID_DENIED)));
    return res;
  },
};
function refusedTransaction(transactionalId: string, errorCode: number): DescribeTransactionsResponse['transactionStates'][number] {
  return {
    errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n,
    producerId: -1n, producerEpoch: -1, topicPartitions: [],
  };
}

/** ListTransactions: only the transactional ids the principal may Describe. */
const listTransactions: Guard<unknown, ListTransactionsResponse> = {
  touches: () => ({}),
  refuse: (_r, errorCode) => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] }),
  serve: async (req, v, handler) => {
    const res = await handler(req);
    if (res !== null) res.transactionStates = res.transactionStates.filter((t) => v.allowed('Describe', 'TransactionalId', t.transactionalId));
    return res;
  },
};

const findCoordinator: Guard<FindCoordinatorRequest> = {
  touches: (r) => (r.keyType === 1 ? { transactionalId: r.key } : { group: r.key }),
  refuse: (_r, errorCode, errorMessage) => ({ throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 }),
};

const describeGroups: Guard<DescribeGroupsRequest, DescribeGroupsResponse> = {
  touches: (r) => ({ groups: r.groups }),
  refuse: (r, code) => ({ throttleTimeMs: 0, groups: r.groups.map((g) => refusedGroup(g, code)) }),
  serve: perName((v) => v.groups, (r) => r.groups, (r, groups) => ({ ...r, groups }), (g) => g,
    (res, refused) => { res.groups.push(...refused.map((g) => refusedGroup(g, GROUP_DENIED))); }),
};
function refusedGroup(groupId: string, errorCode: number): DescribeGroupsResponse['groups'][number] {
  return { errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [] };
}

/** ListGroups: Describe on the cluster lists every group; otherwise only the groups the principal may Describe. */
const listGroups: Guard<unknown, ListGroupsResponse> = {
  touches: () => ({}),
  refuse: (_r, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
  serve: async (req, v, handler) => {
    const res = await handler(req);
    if (res !== null && !v.allowed('Describe', 'Cluster', 'kafka-cluster')) res.groups = res.groups.filter((g) => v.allowed('Describe', 'Group', g.groupId));
    return res;
  },
};

const deleteGroups: Guard<DeleteGroupsRequest, DeleteGroupsResponse> = {
  touches: (r) => ({ groups: r.groupsNames }),
  refuse: (r, errorCode) => ({ throttleTimeMs: 0, results: r.groupsNames.map((groupId) => ({ groupId, errorCode })) }),
  serve: perName((v) => v.groups, (r) => r.groupsNames, (r, groupsNames) => ({ ...r, groupsNames }), (g) => g,
    (res, refused) => { res.results.push(...refused.map((groupId) => ({ groupId, errorCode: GROUP_DENIED }))); }),
};

const offsetDelete: Guard<OffsetDeleteRequest, OffsetDeleteResponse> = {
  touches: (r) => ({ group: r.groupId, topics: r.topics.map((t) => t.name) }),
  refuse: (_r, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.name,
    (res, refused) => { res.topics.push(...refusedPartitions(refused, TOPIC_DENIED)); }),
};

const offsetForLeaderEpoch: Guard<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> = {
  touches: (r) => ({ topics: r.topics.map((t) => t.topic), follower: r.replicaId >= 0 }),
  refuse: (r, code) => ({ throttleTimeMs: 0, topics: refusedEpochs(r.topics, code) }),
  serve: perName(topicsOf, (r) => r.topics, (r, topics) => ({ ...r, topics }), (t) => t.topic,
    (res, refused) => { res.topics.push(...refusedEpochs(refused, TOPIC_DENIED)); }),
};
function refusedEpochs(topics: OffsetForLeaderEpochRequest['topics'], errorCode: number): OffsetForLeaderEpochResponse['topics'] {
  return topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1n })) }));
}

const electLeaders: Guard<ElectLeadersRequest, ElectLeadersResponse> = {
  touches: () => ({}),
  // v0 has no top-level code: every named partition carries it.
  refuse: (r, errorCode, errorMessage) => ({
    throttleTimeMs: 0, errorCode,
    replicaElectionResults: (r.topicPartitions ?? []).map((t) => ({ topic: t.topic, partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })) })),
  }),
};

/** Cluster-wide APIs with a top-level ErrorCode and ErrorMessage. */
function clusterCall<Res>(rest: Record<string, unknown>): Guard<unknown, Res> {
  return { touches: () => ({}), refuse: (_r, errorCode, errorMessage) => ({ throttleTimeMs: 0, errorCode, errorMessage, ...rest }) as Res };
}

const createAcls: Guard<CreateAclsRequest, CreateAclsResponse> = {
  touches: () => ({}),
  refuse: (r, errorCode, errorMessage) => ({ throttleTimeMs: 0, results: r.creations.map(() => ({ errorCode, errorMessage })) }),
};

const deleteAcls: Guard<DeleteAclsRequest, DeleteAclsResponse> = {
  touches: () => ({}),
  refuse: (r, errorCode, errorMessage) => ({ throttleTimeMs: 0, filterResults: r.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })) }),
};

const alterClientQuotas: Guard<AlterClientQuotasRequest, AlterClientQuotasResponse> = {
  touches: () => ({}),
  refuse: (r, errorCode, errorMessage) => ({ throttleTimeMs: 0, entries: r.entries.map((e) => ({ errorCode, errorMessage, entity: e.entity })) }),
};

const alterUserScramCredentials: Guard<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse> = {
  touches: () => ({}),
  refuse: (r, errorCode, errorMessage) => ({
    throttleTimeMs: 0,
    results: [...new Set([...r.deletions, ...r.upsertions].map((u) => u.name))].map((user) => ({ user, errorCode, errorMessage })),
  }),
};

/** The guard of every API the table has checks for (authorize-request.ts refuses to wrap a handler without one). */
export function createGuards(): ReadonlyMap<number, Guard> {
  return new Map<number, Guard>([
    [ApiKey.Produce, produce],
    [ApiKey.Fetch, fetch],
    [ApiKey.ListOffsets, listOffsets],
    [ApiKey.Metadata, metadata],
    [ApiKey.CreateTopics, createTopics],
    [ApiKey.DeleteTopics, deleteTopics],
    [ApiKey.CreatePartitions, createPartitions],
    [ApiKey.DeleteRecords, deleteRecords],
    [ApiKey.InitProducerId, initProducerId],
    [ApiKey.AddPartitionsToTxn, addPartitionsToTxn],
    [ApiKey.AddOffsetsToTxn, addOffsetsToTxn],
    [ApiKey.EndTxn, endTxn],
    [ApiKey.WriteTxnMarkers, writeTxnMarkers],
    [ApiKey.TxnOffsetCommit, txnOffsetCommit],
    [ApiKey.DescribeTransactions, describeTransactions],
    [ApiKey.ListTransactions, listTransactions],
    [ApiKey.DescribeConfigs, configGuard<DescribeConfigsRequest, DescribeConfigsResponse>((res) => res.results, (results) => ({ throttleTimeMs: 0, results: results as DescribeConfigsResponse['results'] }), { configs: [] })],
    [ApiKey.AlterConfigs, configGuard((res: { responses: ConfigResult[] }) => res.responses, (responses) => ({ throttleTimeMs: 0, responses }))],
    [ApiKey.IncrementalAlterConfigs, configGuard((res: { responses: ConfigResult[] }) => res.responses, (responses) => ({ throttleTimeMs: 0, responses }))],
    [ApiKey.OffsetCommit, offsetCommit],
    [ApiKey.OffsetFetch, offsetFetch],
    [ApiKey.FindCoordinator, findCoordinator],
    [ApiKey.JoinGroup, groupCall({ generationId: -1, protocolName: '', leader: '', memberId: '', members: [] })],
    [ApiKey.Heartbeat, groupCall({})],
    [ApiKey.LeaveGroup, groupCall({})],
    [ApiKey.SyncGroup, groupCall({ assignment: Buffer.alloc(0) })],
    [ApiKey.DescribeGroups, describeGroups],
    [ApiKey.ListGroups, listGroups],
    [ApiKey.DeleteGroups, deleteGroups],
    [ApiKey.OffsetDelete, offsetDelete],
    [ApiKey.OffsetForLeaderEpoch, offsetForLeaderEpoch],
    [ApiKey.ElectLeaders, electLeaders],
    [ApiKey.AlterPartitionReassignments, clusterCall({ responses: [] })],
    [ApiKey.ListPartitionReassignments, clusterCall({ topics: [] })],
    [ApiKey.DescribeAcls, clusterCall({ resources: [] })],
    [ApiKey.CreateAcls, createAcls],
    [ApiKey.DeleteAcls, deleteAcls],
    [ApiKey.DescribeClientQuotas, clusterCall({ entries: null })],
    [ApiKey.AlterClientQuotas, alterClientQuotas],
    [ApiKey.DescribeUserScramCredentials, clusterCall({ results: [] })],
    [ApiKey.AlterUserScramCredentials, alterUserScramCredentials],
  ]);
}

export { GROUP_DENIED, CLUSTER_DENIED, TOPIC_DENIED };
