// DescribeConfigs: a topic's effective config with the source of each value (topic override, broker
// setting, built-in default); and, for resource type 4 named by this broker's node id, the broker's own
// static settings, among them where its admin endpoint listens (`mq top -b` finds each broker's /metrics
// that way). As in Kafka, a broker describes only itself: another id is INVALID_REQUEST. Other resource
// types (loggers) answer INVALID_REQUEST. Broker resources also show the dynamic reassignment throttle
// (throttle-config.ts); the name "" (the cluster-wide default) shows only that.
// Also the read-only pseudo-config `decommissioned.partitions` (src/cluster/partition-decommission.ts),
// with source UNKNOWN (0) so tools that send described overrides back do not send it.
import { ErrorCode } from '../../protocol/error-codes.js';
import {
  CONFIG_SOURCE_DEFAULT, CONFIG_SOURCE_DYNAMIC_TOPIC, CONFIG_SOURCE_STATIC_BROKER, RESOURCE_TYPE_BROKER, RESOURCE_TYPE_TOPIC,
  type DescribeConfigsRequest, type DescribeConfigsResponse,
} from '../../protocol/messages/describe-configs.js';
import { clipErrorMessage, errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { BrokerState, Handler } from '../request-context.js';
import type { ConfigSource } from '../../config/topic-config-entries.js';
import { DECOMMISSIONED_CONFIG } from '../../config/decommissioned-config.js';
import { formatDecommissioned } from '../../cluster/partition-decommission.js';
import { throttleConfigEntries } from './throttle-config.js';

type Result = DescribeConfigsResponse['results'][number];

const SOURCE_CODES: Record<ConfigSource, number> = {
  topic: CONFIG_SOURCE_DYNAMIC_TOPIC,
  broker: CONFIG_SOURCE_STATIC_BROKER,
  default: CONFIG_SOURCE_DEFAULT,
};

export const handleDescribeConfigs: Handler<DescribeConfigsRequest, DescribeConfigsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const results = req.resources.map((r): Result => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    if (r.resourceType === RESOURCE_TYPE_BROKER) return describeBroker(b, r.resourceName, r.configurationKeys);
    if (r.resourceType !== RESOURCE_TYPE_TOPIC) {
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'mq describes topics (resource type 2) and brokers (4) only', configs: [] };
    }
    try {
      const wanted = r.configurationKeys === null ? null : new Set(r.configurationKeys);
      const all = b.authority.describeConfig(r.resourceName);
      const entries = all.filter((e) => wanted === null || wanted.has(e.name));
      const configs: Result['configs'] = entries.map((e) => ({
        name: e.name,
        value: e.value,
        readOnly: false,
        isDefault: e.source !== 'topic',
        configSource: SOURCE_CODES[e.source],
        isSensitive: false,
        synonyms: [],
      }));
      const record = b.authority.topic(r.resourceName);
      if (record && (wanted === null || wanted.has(DECOMMISSIONED_CONFIG))) {
        configs.push({
          name: DECOMMISSIONED_CONFIG, value: formatDecommissioned(record), readOnly: true, isDefault: false, configSource: 0, isSensitive: false, synonyms: [],
        });
      }
      return { ...base, errorCode: 0, errorMessage: null, configs };
    } catch (err) {
      return {
        ...base,
        errorCode: errorCodeFor(err, b.logger, { op: 'describe-configs', topic: r.resourceName }),
        errorMessage: errorMessageFor(err),
        configs: [],
      };
    }
  });
  return { throttleTimeMs: 0, results };
};

/** This broker's static settings (read-only, source STATIC_BROKER_CONFIG). */
function describeBroker(b: BrokerState, name: string, keys: string[] | null): Result {
  const base = { resourceType: RESOURCE_TYPE_BROKER, resourceName: name };
  // "" is the cluster-wide default: only the dynamic settings (the reassignment throttle).
  if (name === '') return { ...base, errorCode: 0, errorMessage: null, configs: throttleConfigEntries(b, keys) };
  if (name !== String(b.nodeId)) {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: clipErrorMessage(`this is broker ${b.nodeId}: ask broker '${name}' for its own configs`), configs: [] };
  }
  const c = b.config;
  const hostPort = (h: { host: string; port: number }): string => `${h.host}:${h.port}`;
  const settings: [string, string | null][] = [
    ['node.id', String(b.nodeId)],
    ['listeners', hostPort(b.listeners?.[0] ?? c.listen)],
    ['advertised.listeners', hostPort(b.advertised)],
    ['admin.listeners', b.admin ? hostPort(b.admin) : 'none'],
    ['log.dir', c.dataDir],
    ['broker.rack', c.rack ?? null],
  ];
  const wanted = keys === null ? null : new Set(keys);
  const configs: Result['configs'] = settings.filter(([n]) => wanted === null || wanted.has(n)).map(([n, value]) => ({
    name: n, value, readOnly: true, isDefault: false, configSource: CONFIG_SOURCE_STATIC_BROKER, isSensitive: false, synonyms: [],
  }));
  configs.push(...throttleConfigEntries(b, keys));
  return { ...base, errorCode: 0, errorMessage: null, configs };
}
