// How this broker dials the others (replication fetches, forwarded requests): the inter-broker
// listener's security protocol, the broker's own SASL login (inter.broker.sasl.mechanism, .username,
// .password) on a SASL listener, and on a TLS one the broker's CAs (ssl.ca.location) to check peers with
// and its own certificate to present when peers ask for one (ssl.client.auth). Checked at start in
// cluster mode: an inter-broker SASL listener without the broker's login is a configuration error, not a
// broker that cannot replicate. An embedded broker dials no other broker: it needs no login.
import type { BrokerConfig } from '../config/config.js';
import type { ClientSecurity } from '../client/security-options.js';
import { isSaslMechanism } from '../security/sasl-authenticator.js';
import { MqError } from '../util/mq-error.js';
import type { ListenerPlan } from './listener-plan.js';

export function interBrokerSecurity(config: BrokerConfig, plan: ListenerPlan): ClientSecurity {
  const listener = plan.interBroker;
  const security: ClientSecurity = { protocol: listener.protocol };
  if (listener.mechanisms.length > 0 && config.etcdEndpoints !== undefined) {
    const { mechanism, username, password } = config.security.interBrokerSasl;
    if (mechanism === undefined || username === undefined || password === undefined) {
      throw new MqError('INVALID_CONFIG', `the inter-broker listener ${listener.name} uses SASL, but inter.broker.sasl.mechanism, inter.broker.sasl.username and inter.broker.sasl.password are not all set`, {
        hint: 'Create a user for the brokers (mq users create broker --password-stdin --data DIR or --etcd URL), list it in super.users, and set the three settings.',
      });
    }
    const m = mechanism.toUpperCase();
    if (!isSaslMechanism(m) || !listener.mechanisms.includes(m)) {
      throw new MqError('INVALID_CONFIG', `inter.broker.sasl.mechanism=${mechanism} is not offered on the inter-broker listener ${listener.name} (it offers ${listener.mechanisms.join(', ')})`);
    }
    security.sasl = { mechanism: m, username, password };
  }
  if (listener.tls) {
    const ssl = config.security.ssl;
    security.tls = {
      caLocation: ssl.caLocation,
      certificateLocation: ssl.certificateLocation,
      keyLocation: ssl.keyLocation,
      keyPassword: ssl.keyPassword,
      verifyCertificate: true,
      verifyHostname: true,
    };
  }
  return security;
}
