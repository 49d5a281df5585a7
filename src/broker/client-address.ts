// Where a client of one listener is told to dial a broker: that broker's advertised address for the
// listener of the same name (Kafka answers Metadata and FindCoordinator per listener, so a SASL_SSL
// client is never sent to a PLAINTEXT port), or its inter-broker address for a broker that registered no
// listener names.
import type { HostPort } from '../config/config.js';
import type { LiveBroker } from './topic-authority.js';

export function clientAddress(broker: LiveBroker, listener: string): HostPort {
  return broker.listeners?.[listener] ?? { host: broker.host, port: broker.port };
}
