// Changes to a topic record that any broker may make in cluster mode (AlterConfigs), by compare-and-swap
// against the stored record, so a concurrent change of the replica lists by the controller is never
// overwritten: a lost compare reads the record again (five tries). Every replica applies the result from
// its metadata cache.
import type { BrokerConfig } from '../config/config.js';
import { parseTopicConfig } from '../config/topic-config.js';
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import type { MetadataCache } from './metadata-cache.js';
import type { MetadataStore } from './metadata-store.js';
import { applyDecommissionedValue } from './partition-decommission.js';
import type { TopicRecord } from './topic-records.js';

const ATTEMPTS = 5;
/** How long setDecommissioned waits for this broker's own cache (and so its Produce check) to show it. */
const CACHE_WAIT_MS = 5000;

/**
 * Rewrites `topics/<name>` with `edit` applied to the stored record; resolves to the record written, or
 * null when `edit` returned null (validate only).
 */
async function editTopicRecord(
  store: MetadataStore, name: string, what: string, edit: (record: TopicRecord) => TopicRecord | null,
): Promise<TopicRecord | null> {
  for (let attempt = 1; ; attempt++) {
    const kv = await store.get(`topics/${name}`);
    if (!kv) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    const next = edit(JSON.parse(kv.value) as TopicRecord);
    if (next === null) return null;
    if (await store.txn([{ key: kv.key, version: kv.version }], [{ put: { key: kv.key, value: JSON.stringify(next) } }])) return next;
    if (attempt >= ATTEMPTS) throw new MqError('REQUEST_TIMED_OUT', `topic '${name}' kept changing while ${what}; try again`, { retriable: true });
  }
}

/** AlterConfigs: replaces a topic's overrides (keys not given go back to the broker's value). */
export async function alterTopicConfig(
  store: MetadataStore, broker: BrokerConfig, logger: Logger, name: string, configs: Record<string, string | null>, validateOnly: boolean,
): Promise<void> {
  parseTopicConfig(configs, broker);
  const overrides = Object.fromEntries(Object.entries(configs).filter((e): e is [string, string] => e[1] !== null));
  const written = await editTopicRecord(store, name, 'its config was altered', (record) => (validateOnly ? null : { ...record, configs: overrides }));
  if (written) logger.info('topic config altered', { topic: name, configs: overrides });
}

/**
 * `decommissioned.partitions` from AlterConfigs: the new decommissioned set, stamped with this broker's
 * clock; the controller deletes the partitions once their retention has passed (partition-decommission.ts).
 */
export async function setTopicDecommissioned(
  store: MetadataStore, cache: MetadataCache, logger: Logger, name: string, value: string | null, validateOnly: boolean,
): Promise<void> {
  let decommissioned: Record<string, number> = {};
  const written = await editTopicRecord(store, name, 'its partitions were decommissioned', (record) => {
    decommissioned = applyDecommissionedValue(name, record, value, Date.now());
    return validateOnly ? null : { ...record, decommissioned };
  });
  if (!written) return;
  logger.info('decommissioned partitions set', { topic: name, partitions: Object.keys(decommissioned).join(',') });
  const want = JSON.stringify(decommissioned);
  await cache.waitFor(() => JSON.stringify(cache.topics.get(name)?.decommissioned ?? {}) === want, CACHE_WAIT_MS).catch(() => undefined);
}
