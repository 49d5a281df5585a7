// How a client reaches a secured listener, from the property names librdkafka and kcat users know
// (`-X key=value`, a `--command-config` file of key=value lines, or MQ_* variables):
//
//   security.protocol          plaintext | ssl | sasl_plaintext | sasl_ssl   (any case; default plaintext)
//   sasl.mechanism(s)          PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
//   sasl.username, sasl.password
//   sasl.jaas.config           Kafka's Java form: ...LoginModule required username="u" password="p";
//   ssl.ca.location            PEM file of the CAs to trust (default: the system's)
//   ssl.certificate.location, ssl.key.location, ssl.key.password   (a client certificate, for mTLS)
//   enable.ssl.certificate.verification   true | false (default true)
//   ssl.endpoint.identification.algorithm https | none (default https: the name must match)
//
// Java keystores (ssl.truststore.*, ssl.keystore.*) are refused with a pointer to the PEM names. Only
// the names above are security settings; parseClientProperties() returns the rest for the caller.
import type { SaslMechanism } from '../security/sasl-authenticator.js';
import { isSaslMechanism } from '../security/sasl-authenticator.js';
import { MqError } from '../util/mq-error.js';

export type ClientSecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export interface ClientTls {
  caLocation?: string;
  certificateLocation?: string;
  keyLocation?: string;
  keyPassword?: string;
  /** Check the broker's certificate against the CAs (enable.ssl.certificate.verification). */
  verifyCertificate: boolean;
  /** Check that the certificate names the host dialled (ssl.endpoint.identification.algorithm=https). */
  verifyHostname: boolean;
}

export interface ClientSecurity {
  protocol: ClientSecurityProtocol;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  tls?: ClientTls;
}

/** The property names parseClientProperties() understands, in the order help texts list them. */
export const CLIENT_SECURITY_KEYS: readonly string[] = [
  'security.protocol', 'sasl.mechanism', 'sasl.mechanisms', 'sasl.username', 'sasl.password', 'sasl.jaas.config',
  'ssl.ca.location', 'ssl.certificate.location', 'ssl.key.location', 'ssl.key.password',
  'enable.ssl.certificate.verification', 'ssl.endpoint.identification.algorithm',
];
const SECURITY_KEYS = new Set(CLIENT_SECURITY_KEYS);

const invalid = (message: string, hint?: string): MqError => new MqError('INVALID_ARGUMENT', message, { hint });

/** Kafka-style properties text: key=value (or key: value) lines, # and ! comments, blank lines. */
export function parsePropertiesText(text: string, source: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    const at = line.search(/[=:]/);
    // Only the first word is quoted: a malformed line may hold a password.
    if (at <= 0) throw invalid(`${source}:${i + 1}: the line starting "${line.split(/\s/)[0].slice(0, 40)}" is not key=value`);
    out.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  });
  return out;
}

/** username/password out of a sasl.jaas.config value. */
function fromJaas(value: string): { username?: string; password?: string } {
  const field = (name: string): string | undefined => new RegExp(`\\b${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(value)?.[1]?.replace(/\\(.)/g, '$1');
  return { username: field('username'), password: field('password') };
}

/** Splits `props` into the security settings (checked together) and everything else. */
export function parseClientProperties(props: Map<string, string>): { security: ClientSecurity; rest: Map<string, string> } {
  const rest = new Map<string, string>();
  const p = new Map<string, string>();
  for (const [k, v] of props) {
    if (/^ssl\.(truststore|keystore)\./.test(k)) throw invalid(`${k}: Java keystores are not supported`, 'Use PEM files: ssl.ca.location, ssl.certificate.location and ssl.key.location.');
    if (SECURITY_KEYS.has(k)) p.set(k, v);
    else rest.set(k, v);
  }
  const protocolRaw = (p.get('security.protocol') ?? 'plaintext').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocolRaw)) {
    throw invalid(`security.protocol=${p.get('security.protocol')}: must be plaintext, ssl, sasl_plaintext or sasl_ssl`);
  }
  const protocol = protocolRaw as ClientSecurityProtocol;
  const security: ClientSecurity = { protocol };
  const usesSasl = protocol.startsWith('SASL_');
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';

  const jaas = p.has('sasl.jaas.config') ? fromJaas(p.get('sasl.jaas.config')!) : {};
  const mechanism = p.get('sasl.mechanism') ?? p.get('sasl.mechanisms');
  const username = p.get('sasl.username') ?? jaas.username;
  const password = p.get('sasl.password') ?? jaas.password;
  if (usesSasl) {
    const m = (mechanism ?? 'PLAIN').toUpperCase();
    if (!isSaslMechanism(m)) throw invalid(`sasl.mechanism=${mechanism}: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (GSSAPI and OAUTHBEARER are not supported)`);
    if (username === undefined || password === undefined) {
      throw invalid(`security.protocol=${p.get('security.protocol')} needs sasl.username and sasl.password`, 'For example -X sasl.username=alice -X sasl.password=... (or a --command-config file, so the password stays out of shell history).');
    }
    security.sasl = { mechanism: m, username, password };
  } else if (mechanism !== undefined || username !== undefined || password !== undefined) {
    throw invalid(`sasl.* settings are given but security.protocol is ${protocol}`, 'Set security.protocol=sasl_ssl (or sasl_plaintext).');
  }

  const bool = (key: string, dflt: boolean): boolean => {
    const v = p.get(key);
    if (v === undefined) return dflt;
    if (v === 'true' || v === 'false') return v === 'true';
    throw invalid(`${key}=${v}: must be true or false`);
  };
  const algorithm = (p.get('ssl.endpoint.identification.algorithm') ?? 'https').toLowerCase();
  if (algorithm !== 'https' && algorithm !== 'none' && algorithm !== '') throw invalid(`ssl.endpoint.identification.algorithm=${algorithm}: must be https or none`);
  const tlsKeys = ['ssl.ca.location', 'ssl.certificate.location', 'ssl.key.location', 'ssl.key.password', 'enable.ssl.certificate.verification', 'ssl.endpoint.identification.algorithm'];
  if (usesTls) {
    security.tls = {
      caLocation: p.get('ssl.ca.location'),
      certificateLocation: p.get('ssl.certificate.location'),
      keyLocation: p.get('ssl.key.location'),
      keyPassword: p.get('ssl.key.password'),
      verifyCertificate: bool('enable.ssl.certificate.verification', true),
      verifyHostname: algorithm === 'https',
    };
    if ((security.tls.certificateLocation === undefined) !== (security.tls.keyLocation === undefined)) {
      throw invalid('a client certificate needs both ssl.certificate.location and ssl.key.location');
    }
  } else {
    const given = tlsKeys.filter((k) => p.has(k));
    if (given.length > 0) throw invalid(`${given.join(', ')} given but security.protocol is ${protocol}`, 'Set security.protocol=ssl (or sasl_ssl).');
  }
  return { security, rest };
}
