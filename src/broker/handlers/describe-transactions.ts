// DescribeTransactions: the state of each transactional id this broker coordinates (NOT_COORDINATOR for
// the others, TRANSACTIONAL_ID_NOT_FOUND for unknown ones).
import type { DescribeTransactionsRequest, DescribeTransactionsResponse } from '../../protocol/messages/describe-transactions.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleDescribeTransactions: Handler<DescribeTransactionsRequest, DescribeTransactionsResponse> = async (req, ctx) => {
  try {
    return { throttleTimeMs: 0, transactionStates: await ctx.broker.transactions.describe(req.transactionalIds) };
  } catch (err) {
    const errorCode = errorCodeFor(err, ctx.broker.logger, { op: 'DescribeTransactions' });
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((transactionalId) => ({
        errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0,
        transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topicPartitions: [],
      })),
    };
  }
};
