// A broker: the data dir lock, its topic authority (embedded or cluster, chosen here once), the group
// coordinator, the Kafka-protocol server and the admin endpoint. `close()` is the clean shutdown: hand
// leadership over, stop accepting, finish in-flight requests, flush and close every log (each writes its
// clean-shutdown marker), release the lock.
import { randomBytes } from 'node:crypto';
import type { BrokerConfig, HostPort } from '../config/config.js';
import { startObservability, type Observability } from './observability.js';
import { createLogger, type Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import { DataDirLock } from './data-dir-lock.js';
import { createHandlers } from './handlers/index.js';
import type { BrokerState } from './request-context.js';
import { installRejectionGuard } from './rejection-guard.js';
import { Server } from './server.js';
import { EmbeddedAuthority } from './embedded-authority.js';
import { ClusterAuthority } from './cluster-authority.js';
import type { TopicAuthority } from './topic-authority.js';
import { GroupCoordinator } from '../group/group-coordinator.js';
import { QuotaCache } from './quota-cache.js';

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
  } catch (err) {
    await abandon(err);
  }
  try {
    quotas = await QuotaCache.start(authority.store, logger, shutdown.signal);
  } catch (err) {
    await abandon(err, () => groups.close());
  }
  const state: BrokerState = {
    config, nodeId: config.nodeId, clusterId, advertised: config.advertised ?? config.listen,
    authority, logger, shutdown: shutdown.signal, groups, quotas: quotas.manager,
  };
  const server = new Server(state, createHandlers());
  let bound!: HostPort;
  try {
    bound = await server.listen(config.listen.host, config.listen.port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    await abandon(new MqError('LISTEN_FAILED', `cannot listen on ${config.listen.host}:${config.listen.port}: ${code ?? (err as Error).message}`, {
      hint: code === 'EADDRINUSE' ? 'Another process uses that port; stop it or pass --listen HOST:PORT.' : undefined,
      cause: err,
    }), () => groups.close());
  }
  state.listening = bound;
  if (!config.advertised) state.advertised = { host: config.listen.host, port: bound.port };
  let observability!: Observability;
  try {
    observability = await startObservability(state);
  } catch (err) {
    await abandon(err, () => server.close(), () => groups.close());
  }
  state.admin = observability.admin;
  if (state.metrics) state.metrics.quotaUsage = () => quotas.manager.usage(Date.now());
  try {
    await authority.join({ advertised: state.advertised, admin: observability.admin, metrics: state.metrics });
  } catch (err) {
    await abandon(err, () => observability.close(), () => server.close(), () => groups.close());
  }
  const removeGuard = opts.guardProcess ? installRejectionGuard(logger, () => server.inFlightRequests()) : () => {};
  logger.info('broker started', { nodeId: config.nodeId, listen: `${bound.host}:${bound.port}`, data: config.dataDir, topics: authority.topicNames().length });

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
        // Hand leadership over (controlled shutdown) while still serving.
        await authority.controlledShutdown();
        shutdown.abort();
        await groups.close();
        await server.close();
        await quotas.closed();
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
