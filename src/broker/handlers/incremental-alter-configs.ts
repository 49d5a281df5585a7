// IncrementalAlterConfigs: changes only the keys given. BROKER resources carry the reassignment throttle
// (throttle-config.ts). TOPIC resources: SET and DELETE are merged into the topic's current overrides,
// which then replace the old ones as AlterConfigs does (the pseudo-config decommissioned.partitions is
// AlterConfigs' business and refused here). APPEND and SUBTRACT (list configs) are INVALID_REQUEST.
import { ErrorCode } from '../../protocol/error-codes.js';
import { RESOURCE_TYPE_BROKER, RESOURCE_TYPE_TOPIC } from '../../protocol/messages/describe-configs.js';
import {
  CONFIG_OP_DELETE, CONFIG_OP_SET, type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsResponse,
} from '../../protocol/messages/incremental-alter-configs.js';
import { DECOMMISSIONED_CONFIG } from '../../config/decommissioned-config.js';
import { MqError } from '../../util/mq-error.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { BrokerState, Handler } from '../request-context.js';
import { alterThrottleConfig } from './throttle-config.js';

type Resource = IncrementalAlterConfigsRequest['resources'][number];

export const handleIncrementalAlterConfigs: Handler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const responses: IncrementalAlterConfigsResponse['responses'] = [];
  for (const r of req.resources) {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    const bad = r.configs.find((c) => c.configOperation !== CONFIG_OP_SET && c.configOperation !== CONFIG_OP_DELETE);
    if (bad) {
      responses.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `operation ${bad.configOperation} on '${bad.name}': mq has no list configs (only SET and DELETE)` });
      continue;
    }
    const changes = new Map(r.configs.map((c) => [c.name, c.configOperation === CONFIG_OP_DELETE ? null : c.value] as const));
    if (r.resourceType === RESOURCE_TYPE_BROKER) {
      responses.push({ ...base, ...await alterThrottleConfig(b, r.resourceName, changes, req.validateOnly) });
      continue;
    }
    if (r.resourceType !== RESOURCE_TYPE_TOPIC) {
      responses.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'mq alters topic (2) and broker (4) configs only' });
      continue;
    }
    try {
      await alterTopic(b, r, changes, req.validateOnly);
      responses.push({ ...base, errorCode: 0, errorMessage: null });
    } catch (err) {
      responses.push({ ...base, errorCode: errorCodeFor(err, b.logger, { op: 'incremental-alter-configs', topic: r.resourceName }), errorMessage: errorMessageFor(err) });
    }
  }
  return { throttleTimeMs: 0, responses };
};

async function alterTopic(b: BrokerState, r: Resource, changes: ReadonlyMap<string, string | null>, validateOnly: boolean): Promise<void> {
  if (changes.has(DECOMMISSIONED_CONFIG)) throw new MqError('INVALID_REQUEST', `${DECOMMISSIONED_CONFIG} is set through AlterConfigs (mq topics decommission-partition)`);
  const current = b.authority.describeConfig(r.resourceName);
  const merged: Record<string, string | null> = {};
  for (const e of current) if (e.source === 'topic') merged[e.name] = e.value;
  for (const [name, value] of changes) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  await b.authority.alterConfig(r.resourceName, merged, validateOnly);
}
