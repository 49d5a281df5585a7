// The record iterator behind Consumer.records(): hands out the records of the fetcher's batches one by
// one. It behaves like `async function* () { for await (const b of batches) for (const r of b.records)
// { if (stop.aborted) return; yield r; } }` (same laziness, errors, return() and ordering of
// overlapping next() calls) but costs one already-resolved promise per record instead of an async
// generator step: while a batch has records left, next() answers without awaiting anything.
import type { PartitionBatch } from './fetcher.js';
import type { ConsumedRecord } from './types.js';

interface Source {
  stop: AbortSignal;
  batches: AsyncGenerator<PartitionBatch>;
}



export class RecordIterator implements AsyncIterableIterator<ConsumedRecord> {
  private source: Source | null = null;
  private finished = false;
  private records: ConsumedRecord[] = [];
  private index = 0;
  /** Slow next()/return()/throw() calls not yet settled; while any is, later calls queue behind `tail`. */
  private slowCalls = 0;
  private tail: Promise<unknown> | null = null;

  /** `open` runs on the first next() (like a generator body); it may throw. */
  constructor(private readonly open: () => Source) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ConsumedRecord>> {
    if (this.slowCalls === 0 && this.index < this.records.length && !this.source!.stop.aborted) {
      return Promise.resolve({ done: false, value: this.records[this.index++] });
    }
    return this.queue(() => this.pull());
  }

  return(): Promise<IteratorResult<ConsumedRecord>> {
    return this.queue(async () => {
      await this.finish();
      return { done: true, value: undefined };
    });
  }

  throw(err?: unknown): Promise<IteratorResult<ConsumedRecord>> {
    return this.queue(async () => {
      await this.finish();
      throw err;
    });
  }

  private queue(step: () => Promise<IteratorResult<ConsumedRecord>>): Promise<IteratorResult<ConsumedRecord>> {
    const wrapped = async (): Promise<IteratorResult<ConsumedRecord>> => {
      try {
        return await step();
      } finally {
        this.slowCalls--;
      }
    };
    const idle = this.slowCalls === 0;
    this.slowCalls++;
    const run = idle ? wrapped() : this.tail!.then(wrapped, wrapped);
    this.tail = run.then(() => undefined, () => undefined);
    return run;
  }

  private async pull(): Promise<IteratorResult<ConsumedRecord>> {
    if (this.finished) return { done: true, value: undefined };
    if (this.source === null) {
      try {
        this.source = this.open();
      } catch (err) {
        this.finished = true;
        throw err;
      }
    }
    const { stop, batches } = this.source;
    for (;;) {
      if (this.index < this.records.length) {
        if (stop.aborted) {
          await this.finish();
          return { done: true, value: undefined };
        }
        return { done: false, value: this.records[this.index++] };
      }
      let step: IteratorResult<PartitionBatch>;
      try {
        step = await batches.next();
      } catch (err) {
        this.finished = true;
        this.records = [];
        throw err;
      }
      if (step.done) {
        this.finished = true;
        this.records = [];
        return { done: true, value: undefined };
      }
      this.records = step.value.records;
      this.index = 0;
    }
  }

  /** Ends the iteration; the fetcher's batches() is closed (its fetches still out are dropped). */
  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.records = [];
    await this.source?.batches.return(undefined);
  }
}
