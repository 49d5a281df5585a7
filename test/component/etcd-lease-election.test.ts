// Leases, broker registration and controller election on a real etcd, with real stand-in broker
// processes (test/helpers/etcd-contender.ts) that are frozen (SIGSTOP), thawed and killed with -9.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { BrokerRegistry, type BrokerInfo } from '../../src/cluster/broker-registry.js';
import { ControllerElection } from '../../src/cluster/controller-election.js';
import { EtcdStore } from '../../src/cluster/etcd-store.js';
import type { WatchEvent } from '../../src/cluster/metadata-store.js';
import { MqError } from '../../src/util/mq-error.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { eventually, uniqueTopic } from '../helpers/mq-process.js';

const TTL_SECONDS = 2;
/** Generous bound for "expires within its TTL": the TTL plus slack for a loaded 2-core machine. */
const EXPIRY_BOUND_MS = TTL_SECONDS * 1000 + 4000;
const contenderJs = fileURLToPath(new URL('../helpers/etcd-contender.js', import.meta.url));

interface ContenderEvent { event: string; brokerId: number; epoch?: number; brokerEpoch?: number; leaseId?: string }
interface Contender { proc: ChildProcess; events: ContenderEvent[]; output(): string; kill9(): Promise<void> }

function startContender(endpoint: string, cluster: string, brokerId: number, opts: { ttlSeconds?: number; previousLeaseId?: string } = {}): Contender {
  const args = ['--contender', '--id', String(brokerId), '--etcd', endpoint, '--cluster', cluster, '--ttl', String(opts.ttlSeconds ?? TTL_SECONDS)];
  if (opts.previousLeaseId) args.push('--previous-lease', opts.previousLeaseId);
  const proc = spawn(process.execPath, [contenderJs, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: ContenderEvent[] = [];
  let out = '';
  let partial = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d;
    partial += d;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as ContenderEvent);
  });
  proc.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return {
    proc, events, output: () => out,
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** `p`, or a failure naming `what` after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function brokerInfo(brokerId: number): BrokerInfo {
  return { brokerId, host: '127.0.0.1', port: 9000 + brokerId, adminPort: 9600 + brokerId, rack: 'r1', startTimeMs: Date.now() };
}

describe('leases, registration and election on a real etcd', () => {
  let etcd: EtcdProcess;
  const cleanup: (() => Promise<unknown>)[] = [];
  const open = async (cluster: string): Promise<EtcdStore> => {
    const s = await EtcdStore.connect({ endpoints: etcd.endpoint, cluster });
    cleanup.push(() => s.close());
    return s;
  };

  before(async () => { etcd = await startEtcd(); });
  after(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
    await etcd?.close();
  });

  test('a lease that is not kept alive expires within its TTL and takes its keys along', async (t) => {
    const s = await open(uniqueTopic('c'));
    const lease = await s.grantLease(TTL_SECONDS);
    assert.ok(lease.ttlSeconds >= TTL_SECONDS);
    await s.txn([], [{ put: { key: 'brokers/7', value: '{}', lease: lease.id } }]);
    assert.equal((await s.get('brokers/7'))!.lease, lease.id);
    assert.equal(await lease.keepAlive(), true);
    const ac = new AbortController();
    t.after(() => ac.abort());
    const deleted = (async () => {
      for await (const ev of s.watch('brokers/', ac.signal)) if (ev.type === 'delete') return ev;
      return null;
    })();
    const startMs = Date.now();
    assert.deepEqual(await within(deleted, EXPIRY_BOUND_MS, 'lease expiry'), { type: 'delete', key: 'brokers/7', value: null });
    t.diagnostic(`lease expired ${Date.now() - startMs} ms after its last keep-alive (TTL ${lease.ttlSeconds} s)`);
    assert.equal(await s.get('brokers/7'), null);
    assert.equal(await lease.keepAlive(), false);
    await assert.rejects(s.txn([], [{ put: { key: 'brokers/7', value: '{}', lease: lease.id } }]), (err: MqError) => err.code === 'LEASE_NOT_FOUND');
  });

  test('registration: listed while alive, a duplicate id is refused, close() deregisters at once', async () => {
    const s = await open(uniqueTopic('c'));
    const reg = new BrokerRegistry(s, brokerInfo(1), { ttlSeconds: TTL_SECONDS });
    cleanup.push(() => reg.close());
    const registered = new Promise<{ brokerEpoch: number }>((resolve) => reg.once('registered', resolve));
    await reg.register();
    assert.equal((await registered).brokerEpoch, reg.brokerEpoch);
    const listed = await BrokerRegistry.list(s);
    assert.equal(listed.length, 1);
    assert.deepEqual({ ...listed[0], startTimeMs: 0 }, { ...brokerInfo(1), startTimeMs: 0, brokerEpoch: reg.brokerEpoch });

    const dup = new BrokerRegistry(s, brokerInfo(1), { ttlSeconds: TTL_SECONDS, takeoverWaitMs: 500 });
    await assert.rejects(dup.register(), (err: MqError) => err.code === 'BROKER_ID_IN_USE');
    await dup.close();
    assert.equal((await s.get('brokers/1'))!.lease, reg.leaseId, 'the refused duplicate left the registration alone');

    await reg.close();
    assert.deepEqual(await BrokerRegistry.list(s), []);
  });

  test('a restarted broker takes over its own leftover registration at once, with a higher broker epoch', async () => {
    const s = await open(uniqueTopic('c'));
    const crashed = new BrokerRegistry(s, brokerInfo(2), { ttlSeconds: 30 });
    await crashed.register();
    const oldLease = crashed.leaseId!;
    const oldEpoch = crashed.brokerEpoch!;
    await crashed.close({ deregister: false }); // like kill -9: the key stays until the 30 s lease runs out
    const restarted = new BrokerRegistry(s, brokerInfo(2), { ttlSeconds: TTL_SECONDS, previousLeaseId: oldLease, takeoverWaitMs: 0 });
    cleanup.push(() => restarted.close());
    await restarted.register();
    assert.ok(restarted.brokerEpoch! > oldEpoch);
    assert.equal((await s.get('brokers/2'))!.lease, restarted.leaseId);
  });

  test('a deleted registration raises lost (fence) and is re-registered by itself', async () => {
    const s = await open(uniqueTopic('c'));
    const reg = new BrokerRegistry(s, brokerInfo(3), { ttlSeconds: TTL_SECONDS });
    cleanup.push(() => reg.close());
    await reg.register();
    const firstEpoch = reg.brokerEpoch!;
    const lost = new Promise<MqError>((resolve) => reg.once('lost', resolve));
    const again = new Promise<{ brokerEpoch: number }>((resolve) => reg.on('registered', resolve));
    await s.delete('brokers/3');
    assert.equal((await lost).code, 'LEASE_LOST');
    assert.equal(reg.registered, false);
    const re = await again;
    assert.ok(re.brokerEpoch > firstEpoch);
    assert.equal((await s.get('brokers/3'))!.version, re.brokerEpoch);
  });

  test('a frozen controller loses its lease within the TTL, a second contender wins with a higher epoch, the thawed one fences itself', async (t) => {
    const cluster = uniqueTopic('c');
    const s = await open(cluster);
    const frozen = startContender(etcd.endpoint, cluster, 1);
    t.after(() => frozen.kill9());
    const firstEpoch = (await eventually(() => frozen.events.find((e) => e.event === 'elected'), { timeoutMs: 15000 }).catch(() => {
      throw new Error(`contender 1 was never elected:\n${frozen.output()}`);
    }))!.epoch!;
    assert.deepEqual(await ControllerElection.current(s).then((c) => c && { brokerId: c.brokerId, epoch: c.epoch }), { brokerId: 1, epoch: firstEpoch });

    const reg2 = new BrokerRegistry(s, brokerInfo(2), { ttlSeconds: TTL_SECONDS });
    const election2 = new ControllerElection(s, reg2, 2);
    cleanup.push(() => reg2.close(), () => election2.close());
    const elected2 = new Promise<number>((resolve) => election2.once('elected', resolve));
    await reg2.register();
    election2.start();
    assert.equal(election2.isController, false);

    frozen.proc.kill('SIGSTOP'); // a long GC pause, a stuck disk: no keep-alives any more
    const frozenAtMs = Date.now();
    const secondEpoch = await within(elected2, EXPIRY_BOUND_MS, 'election of contender 2');
    t.diagnostic(`controller moved ${Date.now() - frozenAtMs} ms after the old one froze (TTL ${TTL_SECONDS} s)`);
    assert.ok(secondEpoch > firstEpoch, `epoch ${secondEpoch} must exceed ${firstEpoch}`);
    assert.equal(election2.isController, true);
    assert.equal(election2.epoch, secondEpoch);
    assert.deepEqual((await BrokerRegistry.list(s)).map((b) => b.brokerId), [2]);
    // A write fenced by the new controller's claim succeeds; one fenced by the old claim cannot.
    assert.equal(await s.txn([election2.fence()!], [{ put: { key: 'topics/x', value: 'by 2' } }]), true);

    frozen.proc.kill('SIGCONT');
    await eventually(() => frozen.events.some((e) => e.event === 'lost'), { timeoutMs: 15000 });
    const after = frozen.events.slice(frozen.events.findIndex((e) => e.event === 'elected') + 1).map((e) => e.event);
    assert.deepEqual(after.slice(0, 2).sort(), ['deposed', 'lost'], `the thawed controller must learn it lost its lease: ${after}`);
    await eventually(() => frozen.events.filter((e) => e.event === 'registered').length === 2, { timeoutMs: 15000 });
    const regs = frozen.events.filter((e) => e.event === 'registered');
    assert.ok(regs[1].brokerEpoch! > regs[0].brokerEpoch!);
    assert.equal(frozen.events.filter((e) => e.event === 'elected').length, 1, 'the thawed broker must not take control back');
    assert.deepEqual((await ControllerElection.current(s))!.brokerId, 2);
  });

  test('kill -9 of the controller: the other broker is elected within the TTL with a higher epoch', async (t) => {
    const cluster = uniqueTopic('c');
    const s = await open(cluster);
    const a = startContender(etcd.endpoint, cluster, 11);
    const b = startContender(etcd.endpoint, cluster, 12);
    t.after(async () => { await a.kill9(); await b.kill9(); });
    await eventually(() => a.events.some((e) => e.event === 'registered') && b.events.some((e) => e.event === 'registered'), { timeoutMs: 15000 });
    const first = (await eventually(() => ControllerElection.current(s), { timeoutMs: 15000 }))!;
    const [victim, survivor] = first.brokerId === 11 ? [a, b] : [b, a];
    await victim.kill9();
    const killedAtMs = Date.now();
    const won = await eventually(() => survivor.events.find((e) => e.event === 'elected'), { timeoutMs: EXPIRY_BOUND_MS });
    t.diagnostic(`controller moved ${Date.now() - killedAtMs} ms after kill -9 (TTL ${TTL_SECONDS} s)`);
    assert.ok(won!.epoch! > first.epoch);
    const now = (await ControllerElection.current(s))!;
    assert.equal(now.brokerId, survivor === a ? 11 : 12);
    assert.equal(now.epoch, won!.epoch);
    assert.equal((await BrokerRegistry.list(s)).length, 1);
  });

  test('a controller killed with -9 and restarted at once takes its registration and control back without waiting out its old lease', async (t) => {
    const cluster = uniqueTopic('c');
    const s = await open(cluster);
    const longTtlSeconds = 60;
    const first = startContender(etcd.endpoint, cluster, 31, { ttlSeconds: longTtlSeconds });
    t.after(() => first.kill9());
    const elected = await eventually(() => first.events.find((e) => e.event === 'elected'), { timeoutMs: 15000 });
    const oldLease = first.events.find((e) => e.event === 'registered')!.leaseId!;
    await first.kill9();
    const restartedAtMs = Date.now();
    const second = startContender(etcd.endpoint, cluster, 31, { previousLeaseId: oldLease });
    t.after(() => second.kill9());
    const again = await eventually(() => second.events.find((e) => e.event === 'elected'), { timeoutMs: 15000 });
    const tookMs = Date.now() - restartedAtMs;
    t.diagnostic(`restarted controller back in control after ${tookMs} ms (old lease TTL ${longTtlSeconds} s)`);
    assert.ok(tookMs < longTtlSeconds * 1000);
    assert.ok(again!.epoch! > elected!.epoch!);
    const reg = (await s.get('brokers/31'))!;
    assert.notEqual(reg.lease, oldLease);
    assert.equal((await ControllerElection.current(s))!.epoch, again!.epoch);
  });

  test('resigning (controlled shutdown) hands control over at once', async () => {
    const cluster = uniqueTopic('c');
    const s = await open(cluster);
    const regs = [new BrokerRegistry(s, brokerInfo(21), { ttlSeconds: TTL_SECONDS }), new BrokerRegistry(s, brokerInfo(22), { ttlSeconds: TTL_SECONDS })];
    const elections = regs.map((r, i) => new ControllerElection(s, r, 21 + i));
    cleanup.push(...regs.map((r) => () => r.close()), ...elections.map((e) => () => e.close()));
    for (const r of regs) await r.register();
    elections[0].start();
    await eventually(() => elections[0].isController, { timeoutMs: 10000 });
    const firstEpoch = elections[0].epoch!;
    const deposed = new Promise<number>((resolve) => elections[0].once('deposed', resolve));
    elections[1].start();
    assert.equal(elections[1].isController, false);
    await elections[0].close();
    assert.equal(await deposed, firstEpoch);
    await eventually(() => elections[1].isController, { timeoutMs: TTL_SECONDS * 1000 });
    assert.equal(elections[1].epoch, firstEpoch + 1);
  });
});

describe('registration and control across an etcd kill -9 and restart', () => {
  let etcd: EtcdProcess;
  before(async () => { etcd = await startEtcd(); });
  after(async () => { await etcd?.close(); });

  test('the lease survives a short etcd outage: no fencing, same controller, watches carry on', async (t) => {
    const cluster = uniqueTopic('c');
    const s = await EtcdStore.connect({ endpoints: etcd.endpoint, cluster, retryForMs: 300, requestTimeoutMs: 2000 });
    const reg = new BrokerRegistry(s, brokerInfo(1), { ttlSeconds: TTL_SECONDS });
    const election = new ControllerElection(s, reg, 1);
    t.after(async () => { await election.close(); await reg.close(); await s.close(); });
    const lostEvents: MqError[] = [];
    reg.on('lost', (err: MqError) => lostEvents.push(err));
    await reg.register();
    election.start();
    await eventually(() => election.isController, { timeoutMs: 10000 });
    const epoch = election.epoch;
    const ac = new AbortController();
    t.after(() => ac.abort());
    const seen: WatchEvent[] = [];
    // A watch that fails instead of carrying on fails the test with its own error.
    let watchFailure: unknown = null;
    const watching = (async () => { for await (const ev of s.watch('topics/', ac.signal)) seen.push(ev); })()
      .catch((err: unknown) => { watchFailure = err; });

    await etcd.kill9();
    await etcd.restart();
    await eventually(async () => (await s.get('brokers/1').catch(() => null))?.lease === reg.leaseId, { timeoutMs: 15000 });
    await s.put('topics/after-restart', '1');
    await eventually(() => { if (watchFailure !== null) throw watchFailure; return seen.length === 1; }, { timeoutMs: 15000 });
    // Keep-alives resume; the lease outlives two more TTLs (showing that nothing happens takes time).
    const leaseId = reg.leaseId;
    await new Promise((resolve) => setTimeout(resolve, 2 * TTL_SECONDS * 1000));
    assert.deepEqual(lostEvents, []);
    assert.equal(reg.leaseId, leaseId);
    assert.equal((await s.get('brokers/1'))!.lease, leaseId);
    assert.equal(election.isController, true);
    assert.equal(election.epoch, epoch);
    assert.equal((await ControllerElection.current(s))!.epoch, epoch);
    ac.abort();
    await watching;
    assert.equal(watchFailure, null, 'the watch ended only when aborted');
  });
});
