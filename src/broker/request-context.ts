// What a handler gets besides its decoded request.
import type { BrokerConfig, HostPort } from '../config/config.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import type { RequestHeader } from '../protocol/header.js';
import type { Logger } from '../util/logger.js';
import type { GroupCoordinator } from '../group/group-coordinator.js';
import type { ProducerIdAllocator } from '../cluster/producer-ids.js';
import type { TransactionCoordinator } from '../transaction/transaction-coordinator.js';
import type { TopicAuthority } from './topic-authority.js';
import type { AclAuthorizer } from '../security/acl.js';
import type { QuotaManager } from './quota-manager.js';
import type { AuditLog } from '../security/audit.js';
import type { ConnectionAuth } from './connection-auth.js';
import type { BoundListener } from './server.js';

export interface BrokerState {
  config: BrokerConfig;
  nodeId: number;
  clusterId: string;
  /** Where clients reach this broker (Metadata.Brokers). */
  advertised: HostPort;
  /** The topics, who leads what, and the replicas hosted here (embedded or cluster: chosen at start). */
  authority: TopicAuthority;
  logger: Logger;
  /** Aborts when the broker shuts down, so parked requests answer at once. */
  shutdown: AbortSignal;
  /** Live counters for /metrics (src/metrics); absent where nobody observes (some unit tests). */
  metrics?: BrokerMetrics;
  /** The consumer groups this broker coordinates and their committed offsets. */
  groups: GroupCoordinator;
  /** Hands out producer ids (InitProducerId), in blocks claimed through the metadata store. */
  producerIds: ProducerIdAllocator;
  /** The transactional ids this broker coordinates (their state in the metadata store). */
  transactions: TransactionCoordinator;
  /** Every listener once bound (port 0 resolved); the first is what `--listen` named. */
  listeners?: readonly BoundListener[];
  /** Where the admin endpoint listens once started (DescribeConfigs of this broker: admin.listeners); null: none. */
  admin?: HostPort | null;
  /** Decides operations when authorizer.enabled; null: everything is allowed (Kafka without an authorizer). */
  authorizer?: AclAuthorizer | null;
  /** The client quotas in force (src/broker/quota-cache.ts keeps them current); absent: none enforced. */
  quotas?: QuotaManager;
  /** Denied operations and failed authentications, one rate-limited log line each (src/security/audit.ts). */
  audit?: AuditLog;
}

/** Who is on a connection: set when it is accepted (PLAINTEXT, SSL) or once SASL authentication succeeds. */
export interface Session {
  /** "User:ANONYMOUS" until authenticated; "User:alice" after SASL; "User:CN=alice,O=acme" from a client certificate. */
  principal: string;
  /** The client's address, as ACL host entries name it. */
  host: string;
  /** The name of the listener the connection came in on (PLAINTEXT, SASL_SSL, INTERNAL, ...). */
  listener: string;
}

/** The principal of a connection nobody has authenticated on (Kafka's). */
export const ANONYMOUS = 'User:ANONYMOUS';

export interface RequestContext {
  header: RequestHeader;
  /** "host:port" of the peer, for log lines. */
  peer: string;
  broker: BrokerState;
  session: Session;
  /** The connection's SASL state on a SASL listener; null on PLAINTEXT and SSL listeners. */
  auth: ConnectionAuth | null;
  /**
   * Close the connection after this request, when it refused something and has no response to say so
   * in (Produce with acks=0, as Kafka does). Absent where no connection is behind the request.
   */
  closeAfterResponse?(reason: string): void;
}

/** A handler answers with a response body, or null when the request gets no response (Produce acks=0). */
export type Handler<Req = any, Res = any> = (req: Req, ctx: RequestContext) => Promise<Res | null>;
