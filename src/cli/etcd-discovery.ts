// `mq top --etcd URL`: the brokers as they registered themselves in etcd (`brokers/<id>`: host, port,
// admin port), so the dashboard finds every live broker's admin endpoint without a bootstrap broker.
// Also connectEtcd(), which every command taking --etcd uses: the etcd client (gRPC, about 25 MB of
// memory) is loaded only when a command actually talks to etcd, not by every `mq` run.
import { readRegistrations } from '../cluster/broker-registry.js';
import type { EtcdStore } from '../cluster/etcd-store.js';
import type { EtcdTarget } from './etcd-target.js';

/** Connects to etcd (failing with the store's clear error when it is unreachable). */
export async function connectEtcd(etcd: EtcdTarget): Promise<EtcdStore> {
  const { EtcdStore: Store } = await import('../cluster/etcd-store.js');
  return Store.connect({ endpoints: etcd.endpoints, security: etcd.security });
}

export interface RegisteredAdmin { nodeId: number; host: string; port: number; adminPort: number | null }

export interface EtcdDiscovery {
  /** The live registrations now (a broker registered without an admin endpoint has adminPort null). */
  brokers(): Promise<RegisteredAdmin[]>;
  close(): Promise<void>;
}

/** Connects to etcd (failing here, with the store's clear error, when it is unreachable). */
export async function etcdDiscovery(etcd: EtcdTarget): Promise<EtcdDiscovery> {
  const store = await connectEtcd(etcd);
  return {
    async brokers() {
      return (await readRegistrations(store)).map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, adminPort: b.adminPort }));
    },
    close: () => store.close(),
  };
}
