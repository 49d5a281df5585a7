// The partition replicas this broker hosts in cluster mode: a Log for every partition whose replica list
// names this broker, opened and closed as the metadata cache changes (reconcile), each made leader or
// follower by the ReplicaManager from the cached partition state; retention over all of them. Partition
// folders of replicas this broker no longer has (or of deleted topics) are deleted, never served: each
// folder has a `<folder>.topic-id` naming the topic incarnation it belongs to.
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerConfig } from '../config/config.js';
import { parseStoredTopicConfig, type TopicConfig } from '../config/topic-config.js';
import type { MetadataCache } from '../cluster/metadata-cache.js';
import { decommissionedSinceMs } from '../cluster/partition-decommission.js';
import type { TopicRecord } from '../cluster/topic-records.js';
import type { Partition } from '../replication/partition.js';
import type { ReplicaManager } from '../replication/replica-manager.js';
import { FilePool } from '../storage/file-pool.js';
import { LogCleaner } from '../storage/log-cleaner.js';
import type { Logger } from '../util/logger.js';
import { logConfigFor, openPartition, partitionDir } from './partition-log.js';
import type { HostedReplica } from './topic-authority.js';

interface Hosted { topicId: string; partition: Partition }

export class ReplicaHosting {
  /** Key "topic/partition": the partitions whose log this broker has open. */
  private readonly hosted = new Map<string, Hosted>();
  private readonly configs = new WeakMap<TopicRecord, TopicConfig>();
  private readonly filePool: FilePool;
  /** Retention (retention.ms / retention.bytes) over every hosted replica, leader or follower. */
  private readonly cleaner: LogCleaner;
  private reconciling: Promise<void> = Promise.resolve();
  private reconcileAgain = false;
  private closed = false;
  private replicas: ReplicaManager | null = null;

  constructor(
    private readonly config: BrokerConfig,
    private readonly cache: MetadataCache,
    private readonly logger: Logger,
    /** Whether this broker may act as the leader of a partition now (ClusterAuthority decides). */
    private readonly mayLead: (topic: string, index: number) => boolean,
  ) {
    this.filePool = new FilePool(config.maxOpenFiles);
    this.cleaner = new LogCleaner({
      intervalMs: config.retentionCheckIntervalMs,
      logs: () => [...this.hosted.values()].map(({ partition: p }) => ({
        log: p.log, policy: { retentionMs: p.config['retention.ms'], retentionBytes: p.config['retention.bytes'] },
      })),
      onError: (log, err) => this.logger.warn('retention failed', { dir: log.dir, error: String(err) }),
    });
  }

  /** Starts hosting: deletes stray folders, then follows the cache through `replicas`. */
  async start(replicas: ReplicaManager): Promise<void> {
    this.replicas = replicas;
    await this.deleteStrayReplicas();
  }

  /** The first reconcile has run (its partitions are open) and retention runs. */
  async started(): Promise<void> {
    await this.reconciling;
    this.cleaner.start();
  }

  get(topic: string, index: number): Partition | undefined {
    return this.hosted.get(`${topic}/${index}`)?.partition;
  }

  /** The replicas hosted here with their cached leader and ISR, by topic and partition. */
  replicaViews(): HostedReplica[] {
    return [...this.hosted.values()].map(({ partition: p }) => {
      const state = this.cache.partition(p.topic, p.index);
      return {
        partition: p,
        replicas: this.cache.topics.get(p.topic)?.replicas[p.index] ?? [],
        leader: state?.leader ?? -1,
        isr: state?.isr ?? [],
      };
    }).sort((a, b) => (a.partition.topic < b.partition.topic ? -1 : a.partition.topic > b.partition.topic ? 1 : a.partition.index - b.partition.index));
  }

  /** Partitions the cache says this broker leads while another live ISR member could take over. */
  ledWithSuccessor(): number {
    const me = this.config.nodeId;
    let n = 0;
    for (const key of this.hosted.keys()) {
      const s = this.cache.partitions.get(key);
      if (s?.leader === me && s.isr.some((id) => id !== me && this.cache.brokers.has(id))) n++;
    }
    return n;
  }

  /** Runs reconcile() after the current one; changes arriving meanwhile coalesce into one more run. */
  schedule(): void {
    if (this.reconcileAgain) return;
    this.reconcileAgain = true;
    this.reconciling = this.reconciling.then(async () => {
      this.reconcileAgain = false;
      if (this.closed) return;
      try {
        await this.reconcile();
      } catch (err) {
        this.logger.error('opening or closing partition logs failed', { error: String(err) });
      }
    });
  }

  /** Stops retention and reconciling (first step of leaving: nothing new opens after it). */
  async stop(): Promise<void> {
    this.closed = true;
    await this.cleaner.close();
  }

  /** Closes every hosted log (after stop() and after the replica manager has stopped). */
  async close(): Promise<void> {
    await this.stop();
    await this.reconciling.catch(() => undefined);
    const all = [...this.hosted.values()];
    this.hosted.clear();
    for (const h of all) h.partition.stopTimers();
    const results = await Promise.allSettled(all.map((h) => h.partition.log.close()));
    for (const r of results) if (r.status === 'rejected') this.logger.error('closing a log failed', { error: String(r.reason) });
  }

  /**
   * A topic's effective config (parsed once per record version). A stored value that fails validation
   * (written by an older version, or by hand) is logged and the broker default serves instead: a bad
   * record must never stop a broker from serving the topic or from starting.
   */
  private topicConfig(topic: string, record: TopicRecord): TopicConfig {
    let c = this.configs.get(record);
    if (!c) {
      const overrides = parseStoredTopicConfig(record.configs, (key, problem) => {
        this.logger.warn('stored topic config is invalid; using the broker default', { topic, key, value: record.configs[key], problem });
      }, this.config);
      c = { ...this.config.topicDefaults, ...overrides };
      this.configs.set(record, c);
    }
    return c;
  }

  /** Opens a Log for every partition whose replicas include this broker; deletes those of deleted topics. */
  private async reconcile(): Promise<void> {
    const me = this.config.nodeId;
    const wanted = new Map<string, { topic: string; index: number; topicId: string; record: TopicRecord }>();
    for (const [topic, record] of this.cache.topics) {
      record.replicas.forEach((replicas, index) => {
        if (replicas.includes(me)) wanted.set(`${topic}/${index}`, { topic, index, topicId: record.topicId, record });
      });
    }
    for (const [key, h] of this.hosted) {
      const w = wanted.get(key);
      if (w && w.topicId === h.topicId) continue;
      this.hosted.delete(key);
      await this.replicas?.forget(key);
      h.partition.stopTimers();
      await h.partition.log.delete();
      await rm(`${h.partition.log.dir}.topic-id`, { force: true });
      this.logger.info('partition replica removed', { topic: h.partition.topic, partition: h.partition.index });
    }
    for (const [key, w] of wanted) {
      if (this.hosted.has(key) || this.closed) continue;
      const config = this.topicConfig(w.topic, w.record);
      const dir = partitionDir(this.config, w.topic, w.index);
      // A folder left from a topic deleted (and perhaps re-created) while this broker was down is
      // removed, never served.
      const idFile = `${dir}.topic-id`;
      const onDisk = (await readFile(idFile, 'utf8').catch(() => '')).trim();
      if (onDisk !== w.topicId) {
        await rm(dir, { recursive: true, force: true });
        await writeFile(idFile, w.topicId);
      }
      const partition = await openPartition(this.config, w.topic, w.index, config, this.filePool, this.logger);
      partition.leaderEpoch = this.cache.partition(w.topic, w.index)?.leaderEpoch ?? 0;
      // A replica starts as a follower that knows no high watermark: what its log holds beyond what the
      // ISR confirms must not become visible if it is elected leader.
      partition.replicated = true;
      partition.role = 'follower';
      this.hosted.set(key, { topicId: w.topicId, partition });
    }
    // Roles: leader or follower of each hosted replica, from the cached state.
    for (const [key, h] of this.hosted) {
      if (this.closed || !this.replicas) break;
      const { topic, index } = h.partition;
      const state = this.cache.partition(topic, index);
      const record = this.cache.topics.get(topic);
      if (record) {
        h.partition.decommissioned = decommissionedSinceMs(record, index) !== undefined;
        const config = this.topicConfig(topic, record);
        if (h.partition.config !== config) {
          h.partition.config = config;
          h.partition.log.updateConfig(logConfigFor(config, this.config.indexIntervalBytes));
        }
      }
      await this.replicas.reconcile(key, h.partition, {
        state,
        replicas: record?.replicas[index] ?? [],
        lead: this.mayLead(topic, index),
        leaderLive: state !== undefined && this.cache.brokers.has(state.leader),
      });
    }
  }

  /**
   * At join: partition folders (with their `.topic-id`) of replicas this broker does not have in the
   * cluster metadata — left from before it was removed from them, or of deleted topics — are deleted.
   */
  private async deleteStrayReplicas(): Promise<void> {
    const me = this.config.nodeId;
    const names = await readdir(this.config.dataDir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.topic-id')) continue;
      const folder = name.slice(0, -'.topic-id'.length);
      const m = /^(.+)-(\d+)$/.exec(folder);
      if (!m) continue;
      const record = this.cache.topics.get(m[1]);
      const topicId = (await readFile(join(this.config.dataDir, name), 'utf8').catch(() => '')).trim();
      if (record && record.topicId === topicId && record.replicas[Number(m[2])]?.includes(me)) continue;
      await rm(join(this.config.dataDir, folder), { recursive: true, force: true });
      await rm(join(this.config.dataDir, name), { force: true });
      this.logger.info('stale partition replica deleted', { topic: m[1], partition: Number(m[2]) });
    }
  }
}
