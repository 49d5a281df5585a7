// A broker in embedded mode: the data dir lock, the local metadata store, the topics with their logs,
// and the Kafka-protocol server. `close()` is the clean shutdown: stop accepting, finish in-flight
// requests, flush and close every log (each writes its clean-shutdown marker), release the lock.
import { randomBytes } from 'node:crypto';
import type { BrokerConfig, HostPort } from '../config/config.js';
import { LocalStore } from '../cluster/local-store.js';
import { startObservability, type Observability } from './observability.js';
import { createLogger, type Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import { DataDirLock } from './data-dir-lock.js';
import { createHandlers } from './handlers/index.js';
import type { BrokerState } from './request-context.js';
import { installRejectionGuard } from './rejection-guard.js';
import { Server } from './server.js';
import { TopicManager } from './topic-manager.js';
import { GroupCoordinator } from '../group/group-coordinator.js';
import { ClusterMode } from '../cluster/cluster-mode.js';

export interface Broker {
  readonly host: string;
  readonly port: number;
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
  const lock = await DataDirLock.acquire(config.dataDir);
  // Cluster mode keeps the metadata in etcd and hosts only its own partitions (src/cluster/cluster-mode.ts).
  const cluster = config.etcdEndpoints ? await ClusterMode.open(config, logger).catch(async (err) => { await lock.release(); throw err; }) : null;
  const store = cluster ? cluster.store : await LocalStore.open(config.dataDir).catch(async (err) => { await lock.release(); throw err; });
  const topics = new TopicManager(config, store, logger);
  const shutdown = new AbortController();
  let clusterId = cluster ? await cluster.clusterId(randomBytes(16).toString('base64url').slice(0, 22)) : (await store.get('cluster/id'))?.value;
  if (!clusterId) {
    clusterId = randomBytes(16).toString('base64url').slice(0, 22);
    await store.put('cluster/id', clusterId);
  }
  let groups: GroupCoordinator;
  try {
    if (!cluster) await topics.load();
    groups = await GroupCoordinator.open({
      nodeId: config.nodeId, store, logger,
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
      minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
      maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
      partitionExists: (topic, partition) => (cluster ? cluster.partitionExists(topic, partition) : topics.partition(topic, partition) !== undefined),
      ...(cluster ? { liveBrokerIds: () => cluster.cache.liveBrokerIds() } : {}),
    });
  } catch (err) {
    await topics.close();
    await (cluster ?? store).close();
    await lock.release();
    throw err;
  }
  const state: BrokerState = {
    config, nodeId: config.nodeId, clusterId, advertised: config.advertised ?? config.listen,
    topics, logger, shutdown: shutdown.signal, groups, ...(cluster ? { cluster } : {}),
  };
  const server = new Server(state, createHandlers());
  let bound: HostPort;
  try {
    bound = await server.listen(config.listen.host, config.listen.port);
  } catch (err) {
    await topics.close();
    await (cluster ?? store).close();
    await lock.release();
    const code = (err as NodeJS.ErrnoException).code;
    throw new MqError('LISTEN_FAILED', `cannot listen on ${config.listen.host}:${config.listen.port}: ${code ?? (err as Error).message}`, {
      hint: code === 'EADDRINUSE' ? 'Another process uses that port; stop it or pass --listen HOST:PORT.' : undefined,
      cause: err,
    });
  }
  state.listening = bound;
  if (!config.advertised) state.advertised = { host: config.listen.host, port: bound.port };
  let observability: Observability;
  try {
    observability = await startObservability(state);
  } catch (err) {
    await server.close();
    await topics.close();
    await (cluster ?? store).close();
    await lock.release();
    throw err;
  }
  state.admin = observability.admin;
  if (cluster) {
    try {
      await cluster.join(topics, state.advertised, observability.admin, state.metrics);
    } catch (err) {
      await observability.close();
      await server.close();
      await topics.close();
      await cluster.close();
      await lock.release();
      throw err;
    }
  }
  const removeGuard = opts.guardProcess ? installRejectionGuard(logger, () => server.inFlightRequests()) : () => {};
  logger.info('broker started', { nodeId: config.nodeId, listen: `${bound.host}:${bound.port}`, data: config.dataDir, topics: topics.names().length });

  let closing: Promise<void> | null = null;
  return {
    host: bound.host,
    port: bound.port,
    nodeId: config.nodeId,
    clusterId,
    admin: observability.admin,
    close() {
      closing ??= (async () => {
        logger.info('broker stopping');
        // Cluster mode: hand leadership over (controlled shutdown) while still serving.
        await cluster?.controlledShutdown();
        shutdown.abort();
        await groups.close();
        await server.close();
        await observability.close();
        await topics.close();
        await (cluster ?? store).close();
        await lock.release();
        removeGuard();
        logger.info('broker stopped cleanly');
      })();
      return closing;
    },
  };
}
