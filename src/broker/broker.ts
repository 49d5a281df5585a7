// A broker: the data dir lock, its topic authority (embedded or cluster, chosen here once), the group
// coordinator, the Kafka-protocol server and the admin endpoint. `close()` is the clean shutdown: hand
// leadership over, stop accepting, finish in-flight requests, flush and close every log (each writes its
// clean-shutdown marker), release the lock.
import { ProducerIdAllocator } from '../cluster/producer-ids.js';
import { randomBytes } from 'node:crypto';
import type { BrokerConfig, HostPort } from '../config/config.js';
import { startObservability, type Observability } from './observability.js';
import { createLogger, type Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import { DataDirLock } from './data-dir-lock.js';
import { createHandlers } from './handlers/index.js';
import type { BrokerState } from './request-context.js';
import { installRejectionGuard } from './rejection-guard.js';
import { Server, type BoundListener } from './server.js';
import { planListeners } from './listener-plan.js';
import { interBrokerSecurity } from './inter-broker-security.js';
import { EmbeddedAuthority } from './embedded-authority.js';
import { ClusterAuthority } from './cluster-authority.js';
import type { TopicAuthority } from './topic-authority.js';
import { GroupCoordinator } from '../group/group-coordinator.js';
import { TransactionCoordinator } from '../transaction/transaction-coordinator.js';
import { transactionCoordinatorFor } from '../transaction/transaction-coordinator-choice.js';
import { BrokerMarkerWriter } from './txn-markers.js';
import { QuotaCache } from './quota-cache.js';
import { AclCache } from './acl-cache.js';
import { AuditLog } from '../security/audit.js';

export interface Broker {
  /** The first listener's bound address. */
  readonly host: string;
  readonly port: number;
  /** Every listener, bound. */
  readonly listeners: readonly BoundListener[];
  readonly nodeId: number;
  readonly clusterId: string;
  /** Where the admin endpoint (/metrics, /v1/*) listens; null when config.adminListen is unset. */
  readonly admin: HostPort | null;
  close(): Promise<void>;
}

export interface StartBrokerOptions {
  logger?: Logger;
  /** Log an unhandled promise rejection instead of ending the process (`mq broker start` sets it). */
  guardProcess?: boolean;
}

export async function startBroker(config: BrokerConfig, opts: StartBrokerOptions = {}): Promise<Broker> {
  const logger = opts.logger ?? createLogger(config.logLevel ?? 'info', undefined, config.logFormat ?? 'pretty');
  const plan = planListeners(config); // checks the listener and TLS settings before anything is opened
  const interBroker = interBrokerSecurity(config, plan);
  for (const warning of plan.warnings) logger.warn(warning);
  const lock = await DataDirLock.acquire(config.dataDir);
  // The one place that knows the mode: etcd endpoints mean cluster mode (src/broker/topic-authority.ts).
  let authority: TopicAuthority;
  try {
    authority = config.etcdEndpoints ? await ClusterAuthority.open(config, logger) : await EmbeddedAuthority.open(config, logger);
  } catch (err) {
    await lock.release();
    throw err;
  }
  const shutdown = new AbortController();
  /** Undoes what started so far, in reverse, and rethrows. */
  const abandon = async (err: unknown, ...started: (() => Promise<void>)[]): Promise<never> => {
    shutdown.abort();
    for (const stop of started) await stop();
    await authority.close();
    await lock.release();
    throw err;
  };
  let clusterId = '';
  let groups!: GroupCoordinator;
  let quotas!: QuotaCache;
  let acls: AclCache | null = null;
  try {
    clusterId = await authority.clusterId(randomBytes(16).toString('base64url').slice(0, 22));
    await authority.load();
    groups = await GroupCoordinator.open({
      nodeId: config.nodeId, store: authority.store, logger,
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
      minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
      maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
      partitionExists: (topic, partition) => authority.partitionExists(topic, partition),
      liveBrokerIds: () => authority.liveBrokerIds(),
    });
    // authorizer.enabled: ACLs from the store, kept current (src/broker/acl-cache.ts).
    if (config.security.authorizerEnabled) acls = await AclCache.open(authority.store, config.security, logger);
  } catch (err) {
    await abandon(err, async () => { await groups?.close(); });
  }
  try {
    quotas = await QuotaCache.start(authority.store, logger, shutdown.signal);
  } catch (err) {
    await abandon(err, async () => { await acls?.close(); }, () => groups.close());
  }
  // Transactions: the coordinator of the ids this broker owns (state in the store), markers through the partition leaders.
  const producerIds = new ProducerIdAllocator(authority.store);
  let markerWriter: BrokerMarkerWriter | null = null;
  const transactions = new TransactionCoordinator({
    store: authority.store,
    allocateProducerId: () => producerIds.allocate(),
    markerWriter: { writeMarkers: (m) => markerWriter!.writeMarkers(m) },
    offsetCommitter: {
      complete: async (transactionalId, producerId, groupIds, commit) => {
        for (const g of groupIds) await groups.completeTransactionalOffsets(transactionalId, producerId, g, commit);
      },
    },
    owns: (id) => transactionCoordinatorFor(id, authority.liveBrokerIds()) === config.nodeId,
    logger,
    maxTimeoutMs: config.transactionMaxTimeoutMs,
    sweepIntervalMs: config.transactionCleanupIntervalMs,
  });
  const state: BrokerState = {
    config, nodeId: config.nodeId, clusterId, advertised: config.advertised ?? config.listen,
    authority, logger, shutdown: shutdown.signal, groups, producerIds, transactions, quotas: quotas.manager, authorizer: acls?.authorizer ?? null, audit: new AuditLog(logger),
  };
  markerWriter = new BrokerMarkerWriter(state, interBroker);
  const stopTransactions = async (): Promise<void> => {
    await transactions.close();
    await markerWriter?.close();
  };
  const server = new Server(state, createHandlers(), plan);
  let listeners!: BoundListener[];
  try {
    listeners = await server.listen();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const at = (err as { listener?: { name: string; host: string; port: number } }).listener;
    const failure = err instanceof MqError ? err : new MqError('LISTEN_FAILED', `cannot listen on ${at ? `${at.name}://${at.host}:${at.port}` : 'a listener'}: ${code ?? (err as Error).message}`, {
      hint: code === 'EADDRINUSE' ? 'Another process uses that port; stop it or pass --listen HOST:PORT.' : undefined,
      cause: err,
    });
    await abandon(failure, stopTransactions, () => groups.close());
  }
  const bound: HostPort = { host: listeners[0].host, port: listeners[0].port };
  state.listeners = listeners;
  state.advertised = { host: listeners[0].advertisedHost, port: listeners[0].advertisedPort };
  const interBrokerListener = listeners.find((l) => l.name === plan.interBroker.name)!;
  let observability!: Observability;
  try {
    observability = await startObservability(state);
  } catch (err) {
    await abandon(err, () => server.close(), stopTransactions, () => groups.close());
  }
  state.admin = observability.admin;
  if (state.metrics) state.metrics.quotaUsage = () => quotas.manager.usage(Date.now());
  try {
    await authority.join({
      advertised: { host: interBrokerListener.advertisedHost, port: interBrokerListener.advertisedPort },
      listeners: Object.fromEntries(listeners.map((l) => [l.name, { host: l.advertisedHost, port: l.advertisedPort }])),
      admin: observability.admin, metrics: state.metrics, interBroker,
    });
  } catch (err) {
    await abandon(err, () => observability.close(), () => server.close(), stopTransactions, () => groups.close());
  }
  // Finish what a coordinator that died left half done (the timeout sweep also does, every few seconds).
  transactions.resume().catch((err: unknown) => logger.warn('resuming transactions failed; the sweep retries', { error: (err as Error).message }));
  const removeGuard = opts.guardProcess ? installRejectionGuard(logger, () => server.inFlightRequests()) : () => {};
  logger.info('broker started', { nodeId: config.nodeId, listen: `${bound.host}:${bound.port}`, listeners: listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(','), data: config.dataDir, topics: authority.topicNames().length });

  let closing: Promise<void> | null = null;
  return {
    host: bound.host,
    port: bound.port,
    listeners,
    nodeId: config.nodeId,
    clusterId,
    admin: observability.admin,
    close() {
      closing ??= (async () => {
        logger.info('broker stopping');
        // Hand leadership over (controlled shutdown) while still serving.
        await authority.controlledShutdown();
        shutdown.abort();
        await stopTransactions();
        await groups.close();
        await server.close();
        await quotas.closed();
        await acls?.close();
        await observability.close();
        await authority.close();
        await lock.release();
        removeGuard();
        logger.info('broker stopped cleanly');
      })();
      return closing;
    },
  };
}
