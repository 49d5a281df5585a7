// What the broker's listeners are, from config.security, checked together before anything binds:
// each listener's security protocol, the SASL mechanisms it offers and the TLS material it serves.
//
//   - no `listeners` setting: one PLAINTEXT listener on config.listen (mq's --listen, as it always was);
//   - an SSL or SASL_SSL listener needs ssl.certificate.location and ssl.key.location (one certificate
//     serves every TLS listener, as Kafka's broker-wide ssl.* settings do);
//   - a SASL listener offers sasl.enabled.mechanisms, except PLAIN over SASL_PLAINTEXT, which sends the
//     password in the clear and is offered there only with sasl.plain.allow.plaintext=true;
//   - ssl.client.auth=required|requested asks TLS clients for a certificate (mTLS); its subject is the
//     connection's principal on an SSL listener.
import type { BrokerConfig } from '../config/config.js';
import { parseListeners, usesSasl, usesTls, type Listener, type Listeners } from '../security/listeners.js';
import { isSaslMechanism, type SaslMechanism } from '../security/sasl-authenticator.js';
import type { TlsSettings } from '../security/tls-material.js';
import { MqError } from '../util/mq-error.js';

export interface PlannedListener extends Listener {
  /** The mechanisms SaslHandshake offers here; empty on PLAINTEXT and SSL listeners. */
  mechanisms: readonly SaslMechanism[];
  tls: boolean;
}

export interface ListenerPlan {
  listeners: PlannedListener[];
  interBroker: PlannedListener;
  /** The certificate, key and CAs of the TLS listeners; null when none uses TLS. */
  tls: TlsSettings | null;
  /** Things worth a warning at start (PLAIN left out of a SASL_PLAINTEXT listener, ...). */
  warnings: string[];
}

const invalid = (message: string, hint?: string): MqError => new MqError('INVALID_CONFIG', message, { hint });

export function planListeners(config: BrokerConfig): ListenerPlan {
  const s = config.security;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const parsed: Listeners = parseListeners({
    listeners: s.listeners ?? `PLAINTEXT://${host}:${config.listen.port}`,
    advertisedListeners: s.advertisedListeners,
    protocolMap: s.protocolMap,
    interBrokerListenerName: s.interBrokerListenerName,
  });
  const enabled = s.saslEnabledMechanisms.map((m) => m.trim().toUpperCase());
  for (const m of enabled) {
    if (!isSaslMechanism(m)) throw invalid(`sasl.enabled.mechanisms: ${m} is not a mechanism mq serves`, 'Use SCRAM-SHA-256, SCRAM-SHA-512 and/or PLAIN.');
  }
  const warnings: string[] = [];
  const listeners = parsed.all.map((l): PlannedListener => {
    let mechanisms: SaslMechanism[] = [];
    if (usesSasl(l)) {
      mechanisms = enabled as SaslMechanism[];
      if (l.protocol === 'SASL_PLAINTEXT' && mechanisms.includes('PLAIN') && !s.saslPlainAllowPlaintext) {
        mechanisms = mechanisms.filter((m) => m !== 'PLAIN');
        warnings.push(`PLAIN is not offered on ${l.name} (SASL_PLAINTEXT would carry passwords in the clear); set sasl.plain.allow.plaintext=true to offer it anyway`);
      }
      if (mechanisms.length === 0) {
        throw invalid(`listener ${l.name} (${l.protocol}) has no SASL mechanism to offer`, 'Set sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512.');
      }
    }
    return { ...l, mechanisms, tls: usesTls(l) };
  });
  const tlsNeeded = listeners.filter((l) => l.tls);
  let tls: TlsSettings | null = null;
  if (tlsNeeded.length > 0) {
    if (s.ssl.certificateLocation === undefined || s.ssl.keyLocation === undefined) {
      throw invalid(`listener ${tlsNeeded[0].name} uses TLS but ssl.certificate.location and ssl.key.location are not both set`, 'Point them at the broker\'s PEM certificate and key.');
    }
    tls = {
      certificateLocation: s.ssl.certificateLocation, keyLocation: s.ssl.keyLocation, keyPassword: s.ssl.keyPassword,
      caLocation: s.ssl.caLocation, clientAuth: s.ssl.clientAuth,
    };
  } else if (s.ssl.clientAuth !== 'none') {
    warnings.push(`ssl.client.auth=${s.ssl.clientAuth} has no effect: no listener uses TLS`);
  }
  return { listeners, interBroker: listeners.find((l) => l.name === parsed.interBroker.name)!, tls, warnings };
}
