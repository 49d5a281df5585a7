// `mq top -b HOST:PORT`: the brokers from Kafka Metadata, each with the admin port it reports itself
// (DescribeConfigs of the broker's own resource, key admin.listeners), so brokers sharing a host — the
// ones `mq cluster up` starts, with admin ports 9192, 9193, ... — are each found. A broker that cannot
// say (down, or an older broker) keeps the `--admin-port` guess; a known answer is asked only once per
// broker address. One admin client serves every round (it reconnects by itself).
import type { Admin } from '../client/types.js';
import { parseHostPort } from '../config/config.js';

export interface BootstrapBroker { nodeId: number; host: string; port: number; adminPort: number | null }

export function bootstrapDiscovery(admin: () => Promise<Admin>): () => Promise<BootstrapBroker[]> {
  const adminPorts = new Map<string, number | null>();
  let client: Promise<Admin> | null = null;
  return async () => {
    client ??= admin();
    const a = await client.catch((err: unknown) => { client = null; throw err; });
    const { brokers } = await a.metadata([]);
    return Promise.all(brokers.map(async (b) => {
      const key = `${b.nodeId}@${b.host}:${b.port}`;
      if (!adminPorts.has(key)) {
        try {
          const listener = (await a.describeBrokerConfig(b.nodeId, ['admin.listeners']))['admin.listeners'];
          adminPorts.set(key, listener && listener !== 'none' ? parseHostPort(listener, 'admin.listeners').port : null);
        } catch {
          return { ...b, adminPort: null }; // asked again next round
        }
      }
      return { ...b, adminPort: adminPorts.get(key) ?? null };
    }));
  };
}
