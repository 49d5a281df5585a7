// The client library: producer, consumer and admin over the Kafka wire protocol.
export { createAdmin } from './admin.js';
export { createConsumer } from './consumer.js';
export { createGroupConsumer } from './group-consumer.js';
export { createProducer } from './producer.js';
export { createTransactionAdmin, TransactionAdmin, type TransactionAbortResult, type TransactionDescription, type TransactionListing } from './transaction-admin.js';
export type * from './types.js';
