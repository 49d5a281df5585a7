// The handler for each API key of the registry in protocol/api.ts.
import { ApiKey, apis } from '../../protocol/api.js';
import type { Handler } from '../request-context.js';
import { handleApiVersions } from './api-versions.js';
import { handleCreatePartitions } from './create-partitions.js';
import { handleCreateTopics } from './create-topics.js';
import { handleDeleteTopics } from './delete-topics.js';
import { handleFetch } from './fetch.js';
import { handleListOffsets } from './list-offsets.js';
import { handleMetadata } from './metadata.js';
import { handleProduce } from './produce.js';

export function createHandlers(): Map<number, Handler> {
  const handlers = new Map<number, Handler>([
    [ApiKey.Produce, handleProduce],
    [ApiKey.Fetch, handleFetch],
    [ApiKey.ListOffsets, handleListOffsets],
    [ApiKey.Metadata, handleMetadata],
    [ApiKey.ApiVersions, handleApiVersions],
    [ApiKey.CreateTopics, handleCreateTopics],
    [ApiKey.DeleteTopics, handleDeleteTopics],
    [ApiKey.CreatePartitions, handleCreatePartitions],
  ]);
  for (const spec of apis) {
    if (!handlers.has(spec.key)) throw new Error(`no handler for ${spec.name} (API key ${spec.key})`);
  }
  return handlers;
}
