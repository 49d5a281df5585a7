// AlterConfigs: replaces a topic's config overrides, live and persisted in the topic record; on a broker
// resource, the reassignment throttle (throttle-config.ts). The
// pseudo-config `decommissioned.partitions` sets the decommissioned set instead; a request carrying only
// it leaves the overrides alone (src/cluster/partition-decommission.ts).
import { DECOMMISSIONED_CONFIG } from '../../config/decommissioned-config.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { RESOURCE_TYPE_BROKER, RESOURCE_TYPE_TOPIC } from '../../protocol/messages/describe-configs.js';
import type { AlterConfigsRequest, AlterConfigsResponse } from '../../protocol/messages/alter-configs.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';
import { THROTTLE_CONFIGS } from '../../replication/replication-throttle.js';
import { alterThrottleConfig } from './throttle-config.js';

export const handleAlterConfigs: Handler<AlterConfigsRequest, AlterConfigsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const responses: AlterConfigsResponse['responses'] = [];
  for (const r of req.resources) {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    if (r.resourceType === RESOURCE_TYPE_BROKER) {
      // The whole dynamic set is replaced: a throttle name left out is removed (throttle-config.ts).
      const given = new Map(r.configs.map((c) => [c.name, c.value] as const));
      for (const name of THROTTLE_CONFIGS) if (!given.has(name)) given.set(name, null);
      responses.push({ ...base, ...await alterThrottleConfig(b, r.resourceName, given, req.validateOnly) });
      continue;
    }
    if (r.resourceType !== RESOURCE_TYPE_TOPIC) {
      responses.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'mq alters topic (2) and broker (4) configs only' });
      continue;
    }
    try {
      const configs: Record<string, string | null> = Object.fromEntries(r.configs.map((c) => [c.name, c.value]));
      if (DECOMMISSIONED_CONFIG in configs) {
        const value = configs[DECOMMISSIONED_CONFIG];
        delete configs[DECOMMISSIONED_CONFIG];
        await b.authority.setDecommissioned(r.resourceName, value, req.validateOnly);
        if (Object.keys(configs).length === 0) {
          responses.push({ ...base, errorCode: 0, errorMessage: null });
          continue;
        }
      }
      await b.authority.alterConfig(r.resourceName, configs, req.validateOnly);
      responses.push({ ...base, errorCode: 0, errorMessage: null });
    } catch (err) {
      responses.push({
        ...base,
        errorCode: errorCodeFor(err, b.logger, { op: 'alter-configs', topic: r.resourceName }),
        errorMessage: errorMessageFor(err),
      });
    }
  }
  return { throttleTimeMs: 0, responses };
};
