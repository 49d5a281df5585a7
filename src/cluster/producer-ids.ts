// Producer ids for InitProducerId, unique across the cluster and across restarts: each broker claims a
// block of PRODUCER_ID_BLOCK ids at a time by compare-and-swap on the metadata store key `producer-ids`
// (JSON {"version":1,"next":"<decimal>"}: the first id nobody has claimed), then hands them out from memory.
// Two brokers racing for a block retry on the new value; ids of a block left unused when a broker stops
// are never handed out (as in Kafka). Embedded mode runs the same code on its local store.
import { MqError } from '../util/mq-error.js';
import type { MetadataStore } from './metadata-store.js';

export const PRODUCER_IDS_KEY = 'producer-ids';
export const PRODUCER_ID_BLOCK = 1000n;
const CLAIM_ATTEMPTS = 20;

export class ProducerIdAllocator {
  private next = 0n;
  private end = 0n;
  private claiming: Promise<void> | null = null;

  constructor(private readonly store: MetadataStore, private readonly blockSize: bigint = PRODUCER_ID_BLOCK) {}

  /** A producer id nobody else has been or will be given. */
  async allocate(): Promise<bigint> {
    while (this.next >= this.end) {
      this.claiming ??= this.claim().finally(() => { this.claiming = null; });
      await this.claiming;
    }
    const id = this.next;
    this.next += 1n;
    return id;
  }

  private async claim(): Promise<void> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const kv = await this.store.get(PRODUCER_IDS_KEY);
      const first = kv === null ? 0n : parseNext(kv.value);
      const value = JSON.stringify({ version: 1, next: String(first + this.blockSize) });
      if (await this.store.txn([{ key: PRODUCER_IDS_KEY, version: kv?.version ?? 0 }], [{ put: { key: PRODUCER_IDS_KEY, value } }])) {
        this.next = first;
        this.end = first + this.blockSize;
        return;
      }
    }
    throw new MqError('COORDINATOR_NOT_AVAILABLE', `could not claim a block of producer ids in ${CLAIM_ATTEMPTS} attempts (other brokers kept winning); retry`, { retriable: true });
  }
}

function parseNext(value: string): bigint {
  let next: unknown;
  try {
    next = (JSON.parse(value) as { next?: unknown }).next;
  } catch {
    next = undefined;
  }
  if (typeof next !== 'string' || !/^\d{1,19}$/.test(next)) {
    throw new MqError('KAFKA_STORAGE_ERROR', `the metadata key ${PRODUCER_IDS_KEY} holds ${JSON.stringify(value.slice(0, 100))}, not {"next":"<id>"}; set next above every producer id handed out so far`);
  }
  return BigInt(next);
}
