// The producer's memory budget and its waiters: bytes of records not yet settled (acknowledged or
// failed) counted against bufferMemory, the number of unsettled records, and the callers waiting for
// room (waitForCapacity) or for every record to settle (flush).
export class ProducerBuffer {
  private bufferedBytes = 0;
  private unsettledRecords = 0;
  private capacityWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly bufferMemory: number) {}

  /** Records not settled yet. */
  get unsettled(): number {
    return this.unsettledRecords;
  }

  /** Whether the buffered bytes are under bufferMemory. */
  hasCapacity(): boolean {
    return this.bufferedBytes < this.bufferMemory;
  }

  /** Counts one more record of `bytes` as outstanding. */
  add(bytes: number): void {
    this.unsettledRecords++;
    this.bufferedBytes += bytes;
  }

  /** Counts `bytes` more against bufferMemory without a record (what a held record costs on top of its bytes). */
  charge(bytes: number): void {
    this.bufferedBytes += bytes;
  }

  /** Returns `bytes` of buffer and `records` outstanding records; wakes capacity and flush waiters. */
  settle(bytes: number, records: number): void {
    this.bufferedBytes -= bytes;
    this.unsettledRecords -= records;
    if (this.bufferedBytes < this.bufferMemory && this.capacityWaiters.length > 0) {
      for (const w of this.capacityWaiters.splice(0)) w();
    }
    if (this.unsettledRecords === 0 && this.idleWaiters.length > 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves once the buffer has room (at once when `closing`). */
  waitForCapacity(closing: boolean): Promise<void> {
    if (this.hasCapacity() || closing) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Resolves once every record has settled. */
  waitIdle(): Promise<void> {
    if (this.unsettledRecords === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Releases every capacity waiter (the producer is closing). */
  releaseCapacityWaiters(): void {
    for (const w of this.capacityWaiters.splice(0)) w();
  }
}
