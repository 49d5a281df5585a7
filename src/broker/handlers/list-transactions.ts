// ListTransactions: the transactional ids this broker coordinates, filtered by state and producer id
// (admin clients ask every broker and merge the answers).
import type { ListTransactionsRequest, ListTransactionsResponse } from '../../protocol/messages/list-transactions.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleListTransactions: Handler<ListTransactionsRequest, ListTransactionsResponse> = async (req, ctx) => {
  try {
    const listed = await ctx.broker.transactions.list({ states: req.stateFilters, producerIds: req.producerIdFilters });
    return { throttleTimeMs: 0, errorCode: 0, ...listed };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: errorCodeFor(err, ctx.broker.logger, { op: 'ListTransactions' }), unknownStateFilters: [], transactionStates: [] };
  }
};
