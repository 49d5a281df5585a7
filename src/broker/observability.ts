// Wires the metrics into a running broker: the process sampler and, when configured, the admin HTTP
// endpoint, with admin.auth checked against the broker's SCRAM users and HTTPS when the broker has a
// certificate (ssl.certificate.location, ssl.key.location). startBroker calls this once its Kafka
// listener is bound.
import { apiSpec } from '../protocol/api.js';
import type { BrokerState } from './request-context.js';
import type { HostPort } from '../config/config.js';
import { AdminServer, type AdminServerOptions } from '../metrics/admin-server.js';
import { AdminAuth } from '../metrics/admin-auth.js';
import { SecurityStore } from '../cluster/security-store.js';
import { BrokerMetrics } from '../metrics/broker-metrics.js';
import { adminViews, type ObservedBroker } from './broker-view.js';
import { ProcessMetrics } from '../metrics/process-metrics.js';

export interface Observability {
  /** Where /metrics and /v1/* are served; null without an admin listener. */
  admin: HostPort | null;
  close(): Promise<void>;
}

/** Starts observing `state` (setting state.metrics when absent) and serves the admin endpoint if configured. */
export async function startObservability(state: BrokerState): Promise<Observability> {
  const metrics = (state.metrics ??= new BrokerMetrics());
  const processMetrics = new ProcessMetrics(state.config.dataDir);
  const observed: ObservedBroker = {
    state, metrics, process: processMetrics, admin: null,
    apiName: (key) => apiSpec(key)?.name ?? `api${key}`,
  };
  const listenAt = state.config.adminListen;
  let server: AdminServer | null = null;
  if (listenAt) {
    server = new AdminServer(adminViews(observed), adminServerOptions(state));
    try {
      observed.admin = await server.listen(listenAt);
    } catch (err) {
      processMetrics.close();
      throw err;
    }
    state.logger.info('admin endpoint listening', { admin: `${observed.admin.host}:${observed.admin.port}`, scheme: server.scheme, auth: state.config.security.adminAuth });
  }
  return {
    admin: observed.admin,
    async close() {
      await server?.close();
      processMetrics.close();
    },
  };
}

/** admin.auth and admin.metrics.open, and the broker's certificate for HTTPS. */
function adminServerOptions(state: BrokerState): AdminServerOptions {
  const sec = state.config.security;
  const out: AdminServerOptions = {};
  if (sec.adminAuth !== 'none') {
    const users = new SecurityStore(state.authority.store);
    out.auth = new AdminAuth({ mode: sec.adminAuth, metricsOpen: sec.adminMetricsOpen, users: { credential: (u, m) => users.credential(u, m) } });
  }
  if (sec.ssl.certificateLocation !== undefined && sec.ssl.keyLocation !== undefined) {
    out.tls = { certificateLocation: sec.ssl.certificateLocation, keyLocation: sec.ssl.keyLocation, keyPassword: sec.ssl.keyPassword, clientAuth: 'none' };
  }
  return out;
}
