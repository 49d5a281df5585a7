// A broker process with TLS and SASL listeners for security tests: a throw-away CA with a server
// certificate for 127.0.0.1 and a client certificate (subject O=acme, CN=alice), the user alice with
// SCRAM-SHA-256 and SCRAM-SHA-512 credentials created in the data directory before the broker starts (the
// first user's path), SCRAM and PLAIN offered (PLAIN over SASL_PLAINTEXT too), client certificates
// requested. Files live in `dir`; stop() stops the broker and removes them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, startBrokerProcess, tempDir, type BrokerProcess } from './mq-process.js';
import { makeCa, makeCert, makeServerCert, type CertFiles } from './tls-certs.js';

export const ALICE_PASSWORD = 'alice-secret';

export interface SecuredBroker {
  broker: BrokerProcess;
  /** The folder of the certificates and the data directory. */
  dir: string;
  ca: CertFiles;
  /** alice's client certificate (mTLS). */
  client: CertFiles;
  stop(): Promise<void>;
}

/** Creates `name` with a credential for each SCRAM mechanism, straight into a broker's data directory. */
export async function createScramUser(dataDir: string, name: string, password: string): Promise<void> {
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    const r = await run(['users', 'create', name, '--password-stdin', '--mechanism', mechanism, '--data', dataDir], { input: password });
    assert.equal(r.code, 0, r.stderr);
  }
}

/** `listeners` in Kafka's syntax, with port 0 (the broker's start line gives the ports: broker.listenerPort(NAME)). */
export async function startSecuredBroker(listeners: string): Promise<SecuredBroker> {
  const dir = await tempDir('mq-secured-');
  const ca = await makeCa(dir.path);
  await makeServerCert(dir.path, ca);
  const client = await makeCert(dir.path, ca, 'client', { subject: '/O=acme/CN=alice' });
  const data = join(dir.path, 'data');
  await createScramUser(data, 'alice', ALICE_PASSWORD);
  const broker = await startBrokerProcess(data, {
    listeners,
    env: {
      MQ_SASL_ENABLED_MECHANISMS: 'SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
      MQ_SASL_PLAIN_ALLOW_PLAINTEXT: 'true',
      MQ_SSL_CERTIFICATE_LOCATION: join(dir.path, 'server.pem'),
      MQ_SSL_KEY_LOCATION: join(dir.path, 'server-key.pem'),
      MQ_SSL_CA_LOCATION: ca.cert,
      MQ_SSL_CLIENT_AUTH: 'requested',
    },
  });
  return { broker, dir: dir.path, ca, client, stop: async () => { await broker.stop(); await dir.remove(); } };
}
