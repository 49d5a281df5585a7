// A stand-in broker process for election tests: registers broker --id under a lease in etcd, campaigns
// for controller, and prints one JSON line per event ({"event":"elected","epoch":3}, ...) so a test can
// SIGSTOP, SIGCONT or kill -9 it and watch what it did. Does nothing unless started with --contender
// (node --test also loads every file under dist/test/).
import { BrokerRegistry } from '../../src/cluster/broker-registry.js';
import { ControllerElection } from '../../src/cluster/controller-election.js';
import { EtcdStore } from '../../src/cluster/etcd-store.js';

async function main(argv: string[]): Promise<void> {
  const opt = (name: string): string => {
    const i = argv.indexOf(name);
    if (i < 0 || i + 1 >= argv.length) throw new Error(`missing ${name}`);
    return argv[i + 1];
  };
  const brokerId = Number(opt('--id'));
  const store = await EtcdStore.connect({ endpoints: opt('--etcd'), cluster: opt('--cluster') });
  const say = (event: string, fields: Record<string, unknown> = {}): void => {
    process.stdout.write(JSON.stringify({ event, brokerId, ...fields }) + '\n');
  };
  const registry = new BrokerRegistry(store, { brokerId, host: '127.0.0.1', port: 9000 + brokerId, adminPort: null, rack: null, startTimeMs: Date.now() }, {
    ttlSeconds: Number(opt('--ttl')),
    ...(argv.includes('--previous-lease') ? { previousLeaseId: opt('--previous-lease') } : {}),
  });
  registry.on('registered', (r: { brokerEpoch: number; leaseId: string }) => say('registered', { brokerEpoch: r.brokerEpoch, leaseId: r.leaseId }));
  registry.on('lost', () => say('lost'));
  const election = new ControllerElection(store, registry, brokerId);
  election.on('elected', (epoch: number) => say('elected', { epoch }));
  election.on('deposed', (epoch: number) => say('deposed', { epoch }));
  await registry.register();
  election.start();
  const shutdown = async (): Promise<void> => {
    await election.close();
    await registry.close();
    await store.close();
    say('closed');
  };
  process.once('SIGTERM', () => {
    shutdown().catch((err: unknown) => {
      process.stderr.write(`contender shutdown failed: ${(err as Error).stack}\n`);
      process.exitCode = 1;
    });
  });
}

if (process.argv[2] === '--contender') {
  main(process.argv.slice(3)).catch((err: unknown) => {
    process.stderr.write(`contender failed: ${(err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
