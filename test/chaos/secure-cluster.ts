// The chaos cluster with security on (`run.js --secure`, and a short run in the suite): three brokers
// whose clients and whose replication go over SASL_SSL (SCRAM-SHA-512; certificates from a throw-away CA
// made with openssl), the authorizer on, the brokers authenticating to each other as User:broker (a
// super user), and the workload's producer as User:chaos with only Write and Describe on the chaos
// topics (prefixed ACLs). Each broker keeps a PLAINTEXT listener on 127.0.0.1 for the harness's own
// observation (its principal, User:ANONYMOUS, is a super user), so what is measured is the secured path.
import { readFile } from 'node:fs/promises';
import type { ClientSecurity } from '../../src/client/security-options.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { run, tempDir } from '../helpers/mq-process.js';
import { makeCa, makeServerCert } from '../helpers/tls-certs.js';

const BROKER_PASSWORD = 'chaos-broker-secret';
const CLIENT_USER = 'chaos';
const CLIENT_PASSWORD = 'chaos-client-secret';

/** How the workload reaches the secured listeners, for mq's client and for kafkajs. */
export interface SecureClients {
  bootstrap: string[];
  security: ClientSecurity;
  kafkajs: { ssl: { ca: Buffer[] }; sasl: { mechanism: 'scram-sha-512'; username: string; password: string } };
}

export interface SecureCluster {
  cluster: TestCluster;
  clients: SecureClients;
  close(): Promise<void>;
}

export async function startSecureCluster(config: Record<string, string>): Promise<SecureCluster> {
  const dir = await tempDir('mq-chaos-tls-');
  try {
    const ca = await makeCa(dir.path);
    const server = await makeServerCert(dir.path, ca);
    const cluster = await startCluster({
      brokers: 3,
      listeners: (host, port, port2) => `PLAINTEXT://${host}:${port},SASL_SSL://${host}:${port2}`,
      config: {
        ...config,
        'inter.broker.listener.name': 'SASL_SSL',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
        'inter.broker.sasl.mechanism': 'SCRAM-SHA-512',
        'inter.broker.sasl.username': 'broker',
        'inter.broker.sasl.password': BROKER_PASSWORD,
        'ssl.certificate.location': server.cert,
        'ssl.key.location': server.key,
        'ssl.ca.location': ca.cert,
        'authorizer.enabled': 'true',
        'super.users': 'User:broker;User:ANONYMOUS',
      },
      beforeBrokers: async (etcd) => {
        for (const [user, password] of [['broker', BROKER_PASSWORD], [CLIENT_USER, CLIENT_PASSWORD]]) {
          const r = await run(['users', 'create', user, '--password-stdin', '--mechanism', 'SCRAM-SHA-512', '--etcd', etcd], { input: password });
          if (r.code !== 0) throw new Error(`mq users create ${user}: ${r.stderr}`);
        }
      },
    });
    try {
      for (const operation of ['Write', 'Describe']) {
        const r = await run(['acls', 'add', '--allow', `User:${CLIENT_USER}`, '--operation', operation, '--topic', 'chaos', '--resource-pattern-type', 'prefixed', '-b', cluster.bootstrap]);
        if (r.code !== 0) throw new Error(`mq acls add: ${r.stderr}`);
      }
      const bootstrap = cluster.ids.map((id) => `127.0.0.1:${cluster.broker(id).listenerPort('SASL_SSL')}`);
      const clients: SecureClients = {
        bootstrap,
        security: {
          protocol: 'SASL_SSL',
          sasl: { mechanism: 'SCRAM-SHA-512', username: CLIENT_USER, password: CLIENT_PASSWORD },
          tls: { caLocation: ca.cert, verifyCertificate: true, verifyHostname: true },
        },
        kafkajs: { ssl: { ca: [await readFile(ca.cert)] }, sasl: { mechanism: 'scram-sha-512', username: CLIENT_USER, password: CLIENT_PASSWORD } },
      };
      return { cluster, clients, close: async () => { await cluster.close(); await dir.remove(); } };
    } catch (err) {
      await cluster.close();
      throw err;
    }
  } catch (err) {
    await dir.remove();
    throw err;
  }
}
