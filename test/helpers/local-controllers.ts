// Brokers' controller machinery in one process for unit tests: a LocalStore and, per broker id, a
// metadata cache, a leased registration, the controller election and a Controller — no sockets. Each
// node's log lines are kept for assertions. Everything is closed (and the store removed) after the test.
// No import-time side effects (node --test loads this file too).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerRegistry } from '../../src/cluster/broker-registry.js';
import { Controller } from '../../src/cluster/controller.js';
import { ControllerElection } from '../../src/cluster/controller-election.js';
import { LocalStore } from '../../src/cluster/local-store.js';
import { MetadataCache } from '../../src/cluster/metadata-cache.js';
import { defaultBrokerConfig, type BrokerConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/util/logger.js';
import { eventually } from './mq-process.js';

export interface LocalNode { id: number; cache: MetadataCache; election: ControllerElection; controller: Controller; lines: string[] }

/** Starts one node per id on a fresh LocalStore; resolves once one of them is controller. */
export async function startLocalControllers(
  t: { after(fn: () => Promise<void>): void },
  ids: number[],
  opts: { config?: Partial<BrokerConfig>; ttlSeconds?: number } = {},
): Promise<{ store: LocalStore; nodes: LocalNode[]; ctl: LocalNode }> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-local-controllers-'));
  const store = await LocalStore.open(dir);
  const stops: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const stop of stops.reverse()) await stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const nodes: LocalNode[] = [];
  for (const id of ids) {
    const lines: string[] = [];
    const logger = createLogger('info', (l) => lines.push(l));
    const cache = new MetadataCache(store, logger);
    await cache.start();
    const registry = new BrokerRegistry(store, { brokerId: id, host: '127.0.0.1', port: 9000 + id, adminPort: null, rack: null, startTimeMs: Date.now() }, { ttlSeconds: opts.ttlSeconds ?? 1, logger });
    await registry.register();
    const election = new ControllerElection(store, registry, id, { logger });
    const controller = new Controller({ ...defaultBrokerConfig(), nodeId: id, ...opts.config }, store, election, cache, logger);
    election.start();
    stops.push(async () => { await election.close(); await registry.close(); await cache.close(); });
    nodes.push({ id, cache, election, controller, lines });
  }
  const ctl = (await eventually(() => nodes.find((n) => n.election.isController) ?? null))!;
  return { store, nodes, ctl };
}
