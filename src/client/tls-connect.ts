// The client's TLS: the tls.connect() options for a broker from ClientTls (librdkafka's ssl.* settings),
// and the translation of what Node's TLS reports into errors that name the setting to change.
//
//   ssl.ca.location            the CAs that may sign the broker's certificate (else Node's built-in roots)
//   ssl.certificate.location   + ssl.key.location (+ ssl.key.password): our certificate, for mTLS
//   enable.ssl.certificate.verification=false   accept any broker certificate
//   ssl.endpoint.identification.algorithm=none  accept a certificate that names another host
//
// Files are read when a connection is made, so a renewed certificate on disk is used by the next one.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { MqError } from '../util/mq-error.js';
import type { ClientTls } from './security-options.js';

function readPem(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new MqError('INVALID_CONFIG', `cannot read ${key} ${path}: ${why}`, { hint: `Point ${key} at a readable PEM file.` });
  }
}

/** tls.connect() options for `host:port`; throws INVALID_CONFIG when a file cannot be read or the key does not open. */
export function tlsConnectOptions(t: ClientTls, host: string, port: number): tls.ConnectionOptions {
  const ca = t.caLocation !== undefined ? readPem(t.caLocation, 'ssl.ca.location') : undefined;
  const cert = t.certificateLocation !== undefined ? readPem(t.certificateLocation, 'ssl.certificate.location') : undefined;
  const key = t.keyLocation !== undefined ? readPem(t.keyLocation, 'ssl.key.location') : undefined;
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext({ ca, cert, key, passphrase: t.keyPassword });
  } catch (err) {
    const msg = (err as Error).message;
    if (key && /bad decrypt|bad password|passphrase|DECODER|PEM/i.test(msg)) {
      throw new MqError('INVALID_CONFIG', `cannot open the private key in ssl.key.location ${t.keyLocation}: ${t.keyPassword === undefined ? 'it is encrypted or not a PEM key' : 'wrong ssl.key.password, or not a PEM key'}`, {
        hint: 'Set ssl.key.password to the key\'s password (in a --command-config file or MQ_SSL_KEY_PASSWORD).', cause: err,
      });
    }
    if (/KEY_VALUES_MISMATCH|key values mismatch/i.test(msg)) {
      throw new MqError('INVALID_CONFIG', `ssl.key.location ${t.keyLocation} is not the key of ssl.certificate.location ${t.certificateLocation}`, { cause: err });
    }
    throw new MqError('INVALID_CONFIG', `cannot use the TLS files (${[t.caLocation, t.certificateLocation, t.keyLocation].filter(Boolean).join(', ')}): ${msg}`, { cause: err });
  }
  return {
    host, port, secureContext,
    // SNI carries a host name only (RFC 6066); for an address the certificate is checked against its IP SANs.
    servername: isIP(host) === 0 ? host : undefined,
    rejectUnauthorized: t.verifyCertificate,
    checkServerIdentity: t.verifyHostname ? tls.checkServerIdentity : () => undefined,
  };
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
]);

/**
 * What a TLS failure means for the person: null when `err` is not about TLS (a refused or reset TCP
 * connection keeps its usual message). Certificate problems are fatal: retrying cannot fix them.
 */
export function tlsError(err: NodeJS.ErrnoException, host: string, address: string, t: ClientTls): MqError | null {
  const code = err.code ?? '';
  const fatal = (message: string, hint?: string): MqError => new MqError('SSL_HANDSHAKE_FAILED', message, { hint, cause: err });
  if (UNTRUSTED.has(code)) {
    const where = t.caLocation !== undefined ? `ssl.ca.location (${t.caLocation})` : 'ssl.ca.location (not set: the built-in public CAs)';
    return fatal(`TLS: the broker's certificate at ${address} is not signed by a CA in ${where}: ${err.message}`,
      'Point ssl.ca.location at the CA that signed the broker\'s certificate (or, for a test only, enable.ssl.certificate.verification=false).');
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return fatal(`TLS: the broker's certificate at ${address} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not yet valid'}`, 'Renew the broker\'s certificate, or check the clocks.');
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return fatal(`hostname ${host} is not in the broker's certificate at ${address} (set ssl.endpoint.identification.algorithm=none to skip the check)`,
      'Dial the broker by a name its certificate lists, or issue it a certificate with this name in subjectAltName.');
  }
  if (/CERTIFICATE_REQUIRED/.test(code)) {
    return fatal(`TLS: the broker at ${address} requires a client certificate`, 'Set ssl.certificate.location and ssl.key.location (mTLS).');
  }
  if (/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)/.test(code)) {
    return fatal(`TLS: the broker at ${address} refused our client certificate${t.certificateLocation ? ` (${t.certificateLocation})` : ''}: ${err.message}`,
      'Use a certificate signed by a CA the broker trusts (its ssl.ca.location).');
  }
  if (/WRONG_VERSION_NUMBER|UNKNOWN_PROTOCOL|PACKET_LENGTH_TOO_LONG|RECORD_LAYER|HTTP_REQUEST/.test(code)) {
    return fatal(`TLS handshake with ${address} failed (${err.message.trim()}): is security.protocol right for this listener? It does not seem to speak TLS`,
      'Use security.protocol=plaintext (or sasl_plaintext) for a listener without TLS.');
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return fatal(`TLS handshake with ${address} failed: ${err.message}`);
  }
  return null;
}
