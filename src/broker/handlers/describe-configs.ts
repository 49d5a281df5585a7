// DescribeConfigs: a topic's effective config with the source of each value (topic override, broker
// setting, built-in default). Other resource types (brokers, loggers) answer INVALID_REQUEST.
// Also the read-only pseudo-config `decommissioned.partitions` (src/cluster/partition-decommission.ts),
// with source UNKNOWN (0) so tools that send described overrides back do not send it.
import { ErrorCode } from '../../protocol/error-codes.js';
import {
  CONFIG_SOURCE_DEFAULT, CONFIG_SOURCE_DYNAMIC_TOPIC, CONFIG_SOURCE_STATIC_BROKER, RESOURCE_TYPE_TOPIC,
  type DescribeConfigsRequest, type DescribeConfigsResponse,
} from '../../protocol/messages/describe-configs.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';
import type { ConfigSource } from '../topic-manager.js';
import { DECOMMISSIONED_CONFIG, formatDecommissioned } from '../../cluster/partition-decommission.js';

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
    if (r.resourceType !== RESOURCE_TYPE_TOPIC) {
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'mq describes topic configs only (resource type 2)', configs: [] };
    }
    try {
      const wanted = r.configurationKeys === null ? null : new Set(r.configurationKeys);
      const all = b.cluster ? b.cluster.describeConfig(r.resourceName) : b.topics.describeConfig(r.resourceName);
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
      const record = b.cluster ? b.cluster.cache.topics.get(r.resourceName) : b.topics.get(r.resourceName)?.record;
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
