// The cluster's controller, while this broker is elected (controller-election.ts). Topic administration
// (CreateTopics, CreatePartitions, DeleteTopics, expired decommissioned partitions) is in
// controller-topics.ts; this file owns the partition-state passes, preferred leader elections and
// replica restores, and the timers that drive them.
//
// While elected it also keeps the partitions led (leader-election.ts decides, this applies): on election
// and on every change of the metadata cache it looks at every partition, and writes new states where a
// leader or ISR member is gone (unregistered, re-registered = restarted, or shutting down), each with a
// compare-and-swap on the state's version plus the controller fence (several states per transaction).
// Passes never overlap; changes arriving during one cause one more. And it restores the replication
// factor of brokers gone for longer than replica.restore.delay.ms (replica-restore.ts plans it).
//
// Preferred leader elections (ElectLeaders, `mq rebalance leaders`, and every
// leader.imbalance.check.interval.seconds when auto.leader.rebalance.enable is on) move leadership back
// to replicas[0] where preferred-leader.ts allows it, through the same transactions.
import type { BrokerConfig } from '../config/config.js';
import type { PartitionState, TopicRecord, TopicSpec } from './topic-records.js';
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import type { ControllerElection } from './controller-election.js';
import type { MetadataCache } from './metadata-cache.js';
import type { MetadataStore, StoreOp } from './metadata-store.js';
import { BrokerRegistry } from './broker-registry.js';
import { decideLeader, type ElectionDecision } from './leader-election.js';
import { partitionsToElect, type LeaderPlacement } from './leader-imbalance.js';
import { decidePreferredLeader } from './preferred-leader.js';
import { planReplicaRestore, REASSIGNMENTS_PREFIX, type Reassignment, type RestoreStep } from './replica-restore.js';
import { ReassignmentRequests } from './reassignment-requests.js';
import { CoalescingRun } from '../util/coalescing-run.js';
import { ControllerTopics, brokersTakingReplicas } from './controller-topics.js';


/** How long an answer waits for this broker's own cache to show the change it made. */
const CACHE_WAIT_MS = 5000;
/**
 * Partition states per transaction when a pass rewrites many (etcd allows 128 compares and 128 ops per
 * transaction by default; each state adds a compare on itself and perhaps one on its new leader).
 */
const STATES_PER_TXN = 50;
/** How soon a pass is tried again after a compare-and-swap lost to a change the cache had not shown yet. */
const RETRY_PASS_MS = 300;
/** Restore steps of one topic per transaction (a finishing one takes 2 ops and 1 compare). */
const RESTORE_STEPS_PER_TXN = 50;

/** How many times a preferred election decides again after its compare-and-swap lost to another change. */
const PREFERRED_ATTEMPTS = 3;

interface PendingState { topic: string; partition: number; version: number; old: PartitionState; decision: ElectionDecision }

/**
 * One partition's answer to a preferred leader election: error null = elected (replicas[0] leads now);
 * otherwise an error-code name (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_CONTROLLER, REQUEST_TIMED_OUT) and why.
 */
export interface PreferredElectionResult { topic: string; partition: number; error: string | null; message: string | null }

export class Controller {
  /** The controller pass: elect leaders, restore replicas (one at a time, bursts coalesced). */
  private readonly passes: CoalescingRun;
  /** CreateTopics, CreatePartitions, DeleteTopics and the deletion of expired decommissioned partitions. */
  private readonly topicAdmin: ControllerTopics;
  private retryTimer: NodeJS.Timeout | null = null;
  private restoreTimer: NodeJS.Timeout | null = null;
  /** auto.leader.rebalance.enable: the leader imbalance check every leader.imbalance.check.interval.seconds. */
  private imbalanceTimer: NodeJS.Timeout | null = null;
  private checkingImbalance = false;
  /** Every retention.check.interval.ms: deletes decommissioned partitions past their retention. */
  private decommissionTimer: NodeJS.Timeout | null = null;
  /**
   * When each broker named in a replica list was first seen unregistered by THIS controller. Kept in
   * memory only: a new controller starts every clock again, so a failover can delay a restore by up to
   * replica.restore.delay.ms more, never hasten it.
   */
  private readonly goneSinceMs = new Map<number, number>();
  /** Key "topic/partition": restores in progress (`reassignments/`), read on election; null = not read. */
  private reassignments: Map<string, Reassignment> | null = null;

  constructor(
    private readonly config: BrokerConfig,
    private readonly store: MetadataStore,
    private readonly election: ControllerElection,
    private readonly cache: MetadataCache,
    private readonly logger: Logger,
  ) {
    this.passes = new CoalescingRun(() => this.pass(), () => this.election.isController, (err) => {
      this.logger.warn('controller pass failed; retrying', { error: (err as Error).message });
      this.retrySoon(1000);
    });
    election.on('elected', () => {
      this.goneSinceMs.clear();
      this.reassignments = null;
      this.schedulePass();
      this.startImbalanceChecks();
      if (!this.decommissionTimer) {
        this.decommissionTimer = setInterval(() => {
          this.deleteExpiredPartitions().catch((err: unknown) => this.logger.warn('deleting decommissioned partitions failed', { error: (err as Error).message }));
        }, this.config.retentionCheckIntervalMs);
        this.decommissionTimer.unref();
      }
    });
    election.on('deposed', () => this.stopTimers());
    cache.on('change', () => { if (this.election.isController) this.schedulePass(); });
    // `mq reassign execute/cancel` requests become reassignment records; re-read them after each one.
    new ReassignmentRequests(store, election, cache, logger, () => { this.reassignments = null; this.schedulePass(); });
    this.topicAdmin = new ControllerTopics(config, store, election, cache, logger, (keyOrPrefix) => {
      for (const key of [...this.reassignments?.keys() ?? []]) if (key === keyOrPrefix || (keyOrPrefix.endsWith('/') && key.startsWith(keyOrPrefix))) this.reassignments?.delete(key);
    });
  }

  /** Runs pass() now, or once more after the running one (a burst of changes coalesces into one). */
  schedulePass(): void {
    this.passes.schedule();
  }

  /** One look at every partition: elect leaders where needed, then restore replicas. */
  private async pass(): Promise<void> {
    const fence = this.election.fence();
    if (!fence) return;
    await this.electLeaders(fence);
    if (!this.election.isController) return;
    await this.restoreReplicas(fence);
  }

  /** Writes the states leader-election.ts asks for. */
  private async electLeaders(fence: { key: string; version: number }): Promise<void> {
    const pending: PendingState[] = [];
    for (const [topic, record] of this.cache.topics) {
      record.replicas.forEach((replicas, partition) => {
        const state = this.cache.partition(topic, partition);
        if (!state) return;
        const version = this.cache.partitionVersion(topic, partition);
        const decision = decideLeader({ replicas, state, stateVersion: version, brokers: this.cache.brokers, uncleanLeaderElectionEnable: this.config.uncleanLeaderElectionEnable });
        if (decision) pending.push({ topic, partition, version, old: state, decision });
      });
    }
    if (pending.length === 0) return;
    const { lost } = await this.writePending(fence, pending);
    if (lost.length > 0 && this.election.isController) this.retrySoon(RETRY_PASS_MS);
  }

  /**
   * Writes states in transactions of STATES_PER_TXN (one stale state fails its whole batch, whose others
   * are then written one by one), then lets the cache show what was written before anything else is
   * decided from it. `lost`: the states whose compare-and-swap failed (or that were not tried because
   * this broker stopped being controller).
   */
  private async writePending(fence: { key: string; version: number }, pending: PendingState[]): Promise<{ written: PendingState[]; lost: PendingState[] }> {
    const written: PendingState[] = [];
    const lost: PendingState[] = [];
    for (let i = 0; i < pending.length; i += STATES_PER_TXN) {
      const batch = pending.slice(i, i + STATES_PER_TXN);
      if (await this.writeStates(fence, batch)) { written.push(...batch); continue; }
      if (!this.election.isController) { lost.push(...pending.slice(i)); break; }
      for (const one of batch) {
        if (await this.writeStates(fence, [one])) written.push(one);
        else lost.push(one);
      }
    }
    await this.cacheShows(() => written.every((w) => this.cache.partitionVersion(w.topic, w.partition) !== w.version));
    return { written, lost };
  }

  /**
   * ElectLeaders type 0 and the automatic leader rebalance: elects each partition's preferred replica
   * where preferred-leader.ts allows it (`partitions` null = every partition), with the same
   * compare-and-swap + fence transactions as the leader elections of pass(). A state that changed
   * meanwhile is decided again once the cache shows the change (PREFERRED_ATTEMPTS times in all).
   * Answers once this broker's cache shows the new leaders.
   */
  async electPreferredLeaders(partitions: { topic: string; partition: number }[] | null, reason = 'preferred leader election requested'): Promise<PreferredElectionResult[]> {
    const fence = this.fence();
    const keyOf = (topic: string, partition: number): string => `${topic}/${partition}`;
    const wanted = new Map<string, { topic: string; partition: number }>();
    for (const tp of partitions ?? this.leaderPlacements()) wanted.set(keyOf(tp.topic, tp.partition), { topic: tp.topic, partition: tp.partition });
    const results = new Map<string, PreferredElectionResult>();
    const answer = (topic: string, partition: number, error: string | null, message: string | null): void => {
      results.set(keyOf(topic, partition), { topic, partition, error, message });
    };
    let todo = [...wanted.values()];
    for (let attempt = 0; todo.length > 0 && attempt < PREFERRED_ATTEMPTS && this.election.isController; attempt++) {
      const pending: PendingState[] = [];
      for (const { topic, partition } of todo) {
        const replicas = this.cache.topics.get(topic)?.replicas[partition];
        const state = this.cache.partition(topic, partition);
        if (!replicas || !state) { answer(topic, partition, 'UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic}-${partition} does not exist`); continue; }
        const version = this.cache.partitionVersion(topic, partition);
        const d = decidePreferredLeader({ replicas, state, stateVersion: version, brokers: this.cache.brokers });
        if (d.kind === 'not-needed') answer(topic, partition, 'ELECTION_NOT_NEEDED', `preferred replica ${d.preferred} already leads`);
        else if (d.kind === 'not-available') answer(topic, partition, 'PREFERRED_LEADER_NOT_AVAILABLE', d.reason);
        else pending.push({ topic, partition, version, old: state, decision: { state: d.state, reason, leaderChanged: true } });
      }
      todo = [];
      if (pending.length === 0) break;
      const { written, lost } = await this.writePending(fence, pending);
      for (const w of written) answer(w.topic, w.partition, null, null);
      todo = lost.map((w) => ({ topic: w.topic, partition: w.partition }));
      // Decide the lost ones again from the state that beat them.
      if (todo.length > 0) await this.cacheShows(() => lost.some((w) => this.cache.partitionVersion(w.topic, w.partition) !== w.version));
    }
    for (const { topic, partition } of todo) {
      if (this.election.isController) answer(topic, partition, 'REQUEST_TIMED_OUT', `the state of ${topic}-${partition} kept changing; try again`);
      else answer(topic, partition, 'NOT_CONTROLLER', `broker ${this.config.nodeId} stopped being the controller`);
    }
    return [...wanted.keys()].map((k) => results.get(k)!);
  }

  /** Every partition with its replica list and current leader (-1 when its state is not known yet). */
  private leaderPlacements(): LeaderPlacement[] {
    const out: LeaderPlacement[] = [];
    for (const [topic, record] of this.cache.topics) {
      record.replicas.forEach((replicas, partition) => {
        if (replicas.length > 0) out.push({ topic, partition, replicas, leader: this.cache.partition(topic, partition)?.leader ?? -1 });
      });
    }
    return out;
  }

  private startImbalanceChecks(): void {
    if (!this.config.autoLeaderRebalanceEnable || this.imbalanceTimer) return;
    this.imbalanceTimer = setInterval(() => void this.checkLeaderImbalance(), this.config.leaderImbalanceCheckIntervalSeconds * 1000);
    this.imbalanceTimer.unref();
  }

  /**
   * auto.leader.rebalance.enable: every live broker whose share of preferred partitions led by others is
   * above leader.imbalance.per.broker.percentage gets those partitions back where its replica is live
   * and in the ISR (leader-imbalance.ts, then electPreferredLeaders; one log line per moved partition).
   */
  private async checkLeaderImbalance(): Promise<void> {
    if (this.checkingImbalance || !this.election.isController) return;
    this.checkingImbalance = true;
    try {
      const live = [...this.cache.brokers.values()].filter((b) => !b.shuttingDown).map((b) => b.brokerId);
      const due = partitionsToElect(this.leaderPlacements(), live, this.config.leaderImbalancePerBrokerPercentage);
      const byBroker = new Map<number, typeof due>();
      for (const d of due) byBroker.set(d.imbalance.brokerId, [...(byBroker.get(d.imbalance.brokerId) ?? []), d]);
      for (const [brokerId, list] of byBroker) {
        if (!this.election.isController) return;
        const { preferred, notLed, percentage } = list[0].imbalance;
        const reason = `leader imbalance: broker ${brokerId} leads ${preferred - notLed} of the ${preferred} partitions it is preferred leader of `
          + `(${Math.round(percentage)}% led elsewhere > leader.imbalance.per.broker.percentage=${this.config.leaderImbalancePerBrokerPercentage})`;
        await this.electPreferredLeaders(list.map((d) => ({ topic: d.placement.topic, partition: d.placement.partition })), reason);
      }
    } catch (err) {
      if (this.election.isController) this.logger.warn('leader imbalance check failed', { error: (err as Error).message });
    } finally {
      this.checkingImbalance = false;
    }
  }

  private async writeStates(fence: { key: string; version: number }, batch: PendingState[]): Promise<boolean> {
    const compares = [fence, ...batch.map((w) => ({ key: `partitions/${w.topic}/${w.partition}`, version: w.version }))];
    // The new leader must still be the run of the broker the decision saw (not restarted meanwhile).
    const leaders = new Set(batch.filter((w) => w.decision.leaderChanged && w.decision.state.leader !== -1).map((w) => w.decision.state.leader));
    for (const id of leaders) {
      const b = this.cache.brokers.get(id);
      if (b) compares.push({ key: BrokerRegistry.key(id), version: b.brokerEpoch });
    }
    const ops: StoreOp[] = batch.map((w) => ({ put: { key: `partitions/${w.topic}/${w.partition}`, value: JSON.stringify(w.decision.state) } }));
    if (!await this.store.txn(compares, ops)) return false;
    for (const w of batch) {
      const { state, reason } = w.decision;
      if (w.decision.leaderChanged) {
        this.logger.info('partition leader elected', {
          topic: w.topic, partition: w.partition, from: w.old.leader, to: state.leader, leaderEpoch: state.leaderEpoch, isr: state.isr.join(','), reason,
        });
      } else {
        this.logger.info('partition ISR shrunk', { topic: w.topic, partition: w.partition, leader: state.leader, isr: state.isr.join(','), reason });
      }
    }
    return true;
  }

  /** Starts, advances and finishes the restores of brokers gone for longer than replica.restore.delay.ms. */
  private async restoreReplicas(fence: { key: string; version: number }): Promise<void> {
    const now = Date.now();
    const named = new Set([...this.cache.topics.values()].flatMap((t) => t.replicas.flat()));
    for (const id of named) {
      if (this.cache.brokers.has(id)) this.goneSinceMs.delete(id);
      else if (!this.goneSinceMs.has(id)) this.goneSinceMs.set(id, now);
    }
    for (const id of [...this.goneSinceMs.keys()]) if (!named.has(id)) this.goneSinceMs.delete(id);
    const delayMs = this.config.replicaRestoreDelayMs;
    const expired = new Set<number>();
    let nextDueMs = Infinity;
    for (const [id, since] of this.goneSinceMs) {
      if (now - since >= delayMs) expired.add(id);
      else nextDueMs = Math.min(nextDueMs, since + delayMs);
    }
    if (this.restoreTimer) clearTimeout(this.restoreTimer);
    this.restoreTimer = null;
    if (nextDueMs !== Infinity) {
      this.restoreTimer = setTimeout(() => { this.restoreTimer = null; this.schedulePass(); }, nextDueMs - now + 10);
      this.restoreTimer.unref();
    }
    if (this.reassignments === null) {
      const kvs = await this.store.range(REASSIGNMENTS_PREFIX);
      this.reassignments = new Map(kvs.map((kv) => [kv.key.slice(REASSIGNMENTS_PREFIX.length), JSON.parse(kv.value) as Reassignment]));
    }
    if (expired.size === 0 && this.reassignments.size === 0) return;
    const steps = planReplicaRestore({
      topics: this.cache.topics,
      partition: (topic, p) => this.cache.partition(topic, p),
      reassignments: this.reassignments,
      brokers: brokersTakingReplicas(this.cache),
      expired,
    });
    const byTopic = new Map<string, RestoreStep[]>();
    for (const step of steps) byTopic.set(step.topic, [...(byTopic.get(step.topic) ?? []), step]);
    for (const [topic, list] of byTopic) {
      for (let i = 0; i < list.length; i += RESTORE_STEPS_PER_TXN) {
        if (!this.election.isController) return;
        if (!await this.writeRestore(fence, topic, list.slice(i, i + RESTORE_STEPS_PER_TXN))) this.retrySoon(RETRY_PASS_MS);
      }
    }
  }

  /** One topic's restore steps in one transaction (topic record + reassignments + partition states). */
  private async writeRestore(fence: { key: string; version: number }, topic: string, steps: RestoreStep[]): Promise<boolean> {
    const kv = await this.store.get(`topics/${topic}`);
    const cached = this.cache.topics.get(topic);
    if (!kv || !cached) return true; // deleted meanwhile
    const record = JSON.parse(kv.value) as TopicRecord;
    if (JSON.stringify(record.replicas) !== JSON.stringify(cached.replicas)) return false; // the cache lags
    const replicas = record.replicas.map((l) => [...l]);
    const compares = [fence, { key: `topics/${topic}`, version: kv.version }];
    const ops: StoreOp[] = [];
    for (const step of steps) {
      replicas[step.partition] = step.replicas;
      const key = `${topic}/${step.partition}`;
      if (step.kind === 'complete') {
        ops.push({ delete: `${REASSIGNMENTS_PREFIX}${key}` });
        compares.push({ key: `partitions/${key}`, version: this.cache.partitionVersion(topic, step.partition) });
        ops.push({ put: { key: `partitions/${key}`, value: JSON.stringify(step.state) } });
      } else {
        ops.push({ put: { key: `${REASSIGNMENTS_PREFIX}${key}`, value: JSON.stringify(step.reassignment) } });
      }
    }
    ops.unshift({ put: { key: `topics/${topic}`, value: JSON.stringify({ ...record, replicas }) } });
    const leadersBefore = new Map(steps.map((step) => [step.partition, this.cache.partition(topic, step.partition)?.leader ?? -1]));
    if (!await this.store.txn(compares, ops)) return false;
    for (const step of steps) {
      const key = `${topic}/${step.partition}`;
      if (step.kind === 'complete') {
        const old = this.reassignments?.get(key);
        this.reassignments?.delete(key);
        const what = old?.requested === true ? 'reassignment' : 'replica restore';
        this.logger.info(`${what} finished`, { topic, partition: step.partition, replicas: step.replicas.join(','), removed: old?.removing.join(',') ?? '' });
        const from = leadersBefore.get(step.partition)!;
        if (from !== step.state.leader) {
          this.logger.info('partition leader elected', {
            topic, partition: step.partition, from, to: step.state.leader, leaderEpoch: step.state.leaderEpoch, isr: step.state.isr.join(','), reason: `leader ${from} removed by ${what}`,
          });
        }
      } else {
        this.reassignments?.set(key, step.reassignment);
        this.logger.info(step.kind === 'start' ? 'replica restore started' : 'replica restore re-targeted', {
          topic, partition: step.partition, replicas: step.replicas.join(','), adding: step.reassignment.adding.join(','), removing: step.reassignment.removing.join(','),
        });
      }
    }
    return true;
  }

  private retrySoon(ms: number): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.schedulePass(); }, ms);
    this.retryTimer.unref();
  }

  private stopTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.restoreTimer) clearTimeout(this.restoreTimer);
    if (this.imbalanceTimer) clearInterval(this.imbalanceTimer);
    if (this.decommissionTimer) clearInterval(this.decommissionTimer);
    this.decommissionTimer = null;
    this.retryTimer = null;
    this.restoreTimer = null;
    this.imbalanceTimer = null;
  }

  createTopic(req: TopicSpec): Promise<void> { return this.topicAdmin.createTopic(req); }

  addPartitions(name: string, total: number, assignments: number[][] | null, validateOnly: boolean): Promise<void> {
    return this.topicAdmin.addPartitions(name, total, assignments, validateOnly);
  }

  deleteTopic(name: string): Promise<void> { return this.topicAdmin.deleteTopic(name); }

  deleteExpiredPartitions(nowMs = Date.now()): Promise<number> { return this.topicAdmin.deleteExpiredPartitions(nowMs); }

  /** The compare that holds only while this broker is controller; NOT_CONTROLLER when it is not. */
  private fence(): { key: string; version: number } {
    const f = this.election.fence();
    if (!f) {
      throw new MqError('NOT_CONTROLLER', `broker ${this.config.nodeId} is not the controller (the controller is broker ${this.cache.controllerId})`, { retriable: true });
    }
    return f;
  }

  private cacheShows(done: () => boolean): Promise<void> {
    return this.cache.waitFor(done, CACHE_WAIT_MS);
  }
}
