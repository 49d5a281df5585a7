// `mq consume TOPIC` without -g: each fetched partition answer is rendered into one Buffer
// (batch-render.ts) and written with one write; the next answer is taken (and so the next fetch asked
// for, one in advance) only once stdout has taken this one, so at most a fetch or two are held.
// Output buffers are reused once stdout has written them.
import type { Consumer } from '../client/types.js';
import { OutputBuffers, batchRenderer } from './batch-render.js';

export interface ConsumeAssignedOptions {
  /** Assigned already. */
  consumer: Consumer;
  /** A -f format, or null for --json. */
  format: string | null;
  signal: AbortSignal;
  /** Stop after this many records. */
  count?: number;
  exitAtEnd: boolean;
  /** Resolves when more may be written (stdout drained); `written` is called once the chunk is. */
  write: (chunk: Buffer, written: () => void) => void | Promise<void>;
}

/** Consumes until the signal aborts, `count` records are written, or (exitAtEnd) every partition's end. */
export async function consumeAssigned(o: ConsumeAssignedOptions): Promise<void> {
  const budget = { left: o.count ?? Number.POSITIVE_INFINITY };
  const buffers = new OutputBuffers();
  const parts = o.consumer.decoded(batchRenderer(o.format, budget, buffers), { signal: o.signal, exitAtEnd: o.exitAtEnd });
  for await (const part of parts) {
    await o.write(part.value, () => buffers.give(part.value));
    if (budget.left <= 0) break;
  }
}
