// Sample values of InitProducerId at each version, for the round trips in messages.test.ts.
import { ApiKey } from '../../../src/protocol/api.js';

export const producerSamples: Record<number, { request: (v: number) => any; response: (v: number) => any }> = {
  [ApiKey.InitProducerId]: {
    request: () => ({ transactionalId: null, transactionTimeoutMs: -1 }),
    response: () => ({ throttleTimeMs: 0, errorCode: 0, producerId: 9007199254740993n, producerEpoch: 32767 }),
  },
};
