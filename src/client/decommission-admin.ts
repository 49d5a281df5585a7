// Partition decommission for the admin client: the decommissioned set travels as the pseudo-config
// `decommissioned.partitions` (src/cluster/partition-decommission.ts). It is read with the topic's
// other configs (DescribeConfigs) and set with an AlterConfigs carrying only that key, which leaves the
// topic's config overrides untouched.
import { ApiKey } from '../protocol/api.js';
import type { AlterConfigsRequest, AlterConfigsResponse } from '../protocol/messages/alter-configs.js';
import { RESOURCE_TYPE_TOPIC } from '../protocol/messages/describe-configs.js';
import { DECOMMISSIONED_CONFIG } from '../cluster/partition-decommission.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';
import { topicError } from './topic-error.js';

/** Makes `partitions` the topic's decommissioned set (ids left out are recommissioned unless deleted). */
export async function setDecommissionedPartitions(cluster: Cluster, topic: string, partitions: number[], timeoutMs: number): Promise<void> {
  const body: AlterConfigsRequest = {
    resources: [{ resourceType: RESOURCE_TYPE_TOPIC, resourceName: topic, configs: [{ name: DECOMMISSIONED_CONFIG, value: partitions.join(',') }] }],
    validateOnly: false,
  };
  await cluster.retry(async () => {
    const res = await cluster.requestController<AlterConfigsResponse>(ApiKey.AlterConfigs, body, { timeoutMs });
    const r = res.responses.find((x) => x.resourceName === topic);
    if (!r) throw new MqError('UNKNOWN_SERVER_ERROR', `the broker did not answer AlterConfigs for topic '${topic}'`);
    if (r.errorCode !== 0) throw topicError(r.errorCode, topic, r.errorMessage);
  });
}
