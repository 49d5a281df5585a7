// `mq consume -g GROUP`: the loop that ties a group member's batches to output and commits, per
// delivery guarantee:
//   at-most-once   commit the batch's end offset, then write it (a crash loses what was committed but
//                  not written, never repeats it); if the commit fails (a rebalance took the partition)
//                  the batch is not written at all.
//   at-least-once  write every record and flush stdout (or run --exec CMD until it exits 0), then commit
//                  (a crash repeats at most the uncommitted batch). A failing CMD stops the consumer with
//                  only the records before the failure committed. "Flushed" means handed to the OS, not
//                  merely accepted by the stream: a stream queues writes in memory while the reader is
//                  slow (a full pipe), and a kill -9 then would lose records already committed.
//   exactly-once   refused until the exactly-once issue lands.
import type { ConsumedRecord, GroupConsumer, TopicPartitionOffset } from '../client/types.js';
import { REJOIN_CODES } from '../client/group-consumer.js';
import { MqError } from '../util/mq-error.js';
import { execCommand } from './exec-command.js';

export type Delivery = 'at-most-once' | 'at-least-once' | 'exactly-once';

export const DELIVERIES: readonly Delivery[] = ['at-most-once', 'at-least-once', 'exactly-once'];

export function parseDelivery(raw: string): Delivery {
  if ((DELIVERIES as readonly string[]).includes(raw)) return raw as Delivery;
  throw new MqError('INVALID_ARGUMENT', `delivery '${raw}' must be at-most-once, at-least-once or exactly-once`);
}

/** The refusal for --delivery exactly-once. */
export function exactlyOnceRefused(): MqError {
  return new MqError('INVALID_ARGUMENT', '--delivery exactly-once is not available yet: it needs transactions (the exactly-once issue)', {
    hint: 'Use --delivery at-least-once (the default) and make processing idempotent, or at-most-once.',
  });
}

/**
 * The refusal for -g -e with cooperative-sticky: while a cooperative rebalance moves a partition it is
 * assigned to nobody for a generation, so every member could find its share drained and exit before
 * the partition reaches its new owner. Eager assignors give every partition to someone in every generation.
 */
export function exitAtEndCooperativeRefused(): MqError {
  return new MqError('INVALID_ARGUMENT', '-e/--exit-at-end cannot be combined with --assignor cooperative-sticky (a partition being moved belongs to no member for a generation)', {
    hint: 'Use --assignor range (the default) or roundrobin to drain a group with -e.',
  });
}

export interface GroupConsumeOptions {
  consumer: GroupConsumer;
  delivery: Delivery;
  render: (record: ConsumedRecord) => string;
  write: (text: string) => void | Promise<void>;
  /** Resolves once everything written so far is handed to the OS (see writtenOut); rejects when it cannot be. */
  flush: () => Promise<void>;
  note: (text: string) => void;
  /** --exec CMD, per record or (batch) per batch. */
  exec?: { command: string; batch: boolean };
  /** Stop after this many records. */
  count?: number;
  /** -e: stop once the partitions assigned to this member are read to their ends as of their assignment (everything read is committed first). */
  exitAtEnd?: boolean;
  signal: AbortSignal;
}

/** Consumes until `signal` aborts, `count` records are out, the member's share is read (exitAtEnd), or CMD fails (an MqError EXEC_FAILED). */
export async function groupConsume(o: GroupConsumeOptions): Promise<number> {
  if (o.delivery === 'exactly-once') throw exactlyOnceRefused();
  let total = 0;
  for await (const batch of o.consumer.batches({ signal: o.signal, exitAtEnd: o.exitAtEnd })) {
    const records = o.count === undefined ? batch : batch.slice(0, o.count - total);
    if (records.length === 0) break;
    const end = nextOffset(records[records.length - 1]);
    if (o.delivery === 'at-most-once' && !(await commitOrSkip(o, end))) continue;
    const done = o.exec ? await runExec(o, records) : await writeAll(o, records);
    if (o.delivery === 'at-least-once') {
      if (done < records.length) {
        if (done > 0) await commitOrSkip(o, nextOffset(records[done - 1]));
        throw new MqError('EXEC_FAILED', `command failed at ${records[done].topic}-${records[done].partition} offset ${records[done].offset}; nothing from there on was committed`, {
          hint: 'Fix the command and run mq consume again: the group resumes at that record.',
        });
      }
      await commitOrSkip(o, end);
    } else if (done < records.length) {
      throw new MqError('EXEC_FAILED', `command failed at ${records[done].topic}-${records[done].partition} offset ${records[done].offset} (at-most-once: it was committed)`);
    }
    total += records.length;
    if (o.count !== undefined && total >= o.count) break;
  }
  return total;
}

/**
 * Resolves once every byte written to `stream` so far has been handed to the OS: the callback of an empty
 * write runs after those of all earlier writes. Rejects when the stream failed or was destroyed (EPIPE:
 * the reader is gone), so no offset is committed for output that went nowhere.
 */
export function writtenOut(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write('', (err?: Error | null) => (err ? reject(err) : resolve()));
  });
}

function nextOffset(r: ConsumedRecord): TopicPartitionOffset {
  return { topic: r.topic, partition: r.partition, offset: r.offset + 1 };
}

/** Commits; false when a rebalance took the partition (the new owner starts from the last commit). */
async function commitOrSkip(o: GroupConsumeOptions, offset: TopicPartitionOffset): Promise<boolean> {
  try {
    await o.consumer.commit([offset]);
    return true;
  } catch (err) {
    if (err instanceof MqError && REJOIN_CODES.has(err.code)) {
      o.note(`commit of ${offset.topic}-${offset.partition} at ${offset.offset} failed (${err.code}); the group is rebalancing`);
      return false;
    }
    throw err;
  }
}

/** Writes and flushes; returns how many records are out (all of them). */
async function writeAll(o: GroupConsumeOptions, records: ConsumedRecord[]): Promise<number> {
  for (const r of records) {
    const p = o.write(o.render(r));
    if (p) await p;
  }
  await o.flush();
  return records.length;
}

/** Runs CMD; returns how many records were processed before the first failure. */
async function runExec(o: GroupConsumeOptions, records: ConsumedRecord[]): Promise<number> {
  const { command, batch } = o.exec!;
  if (batch) {
    const code = await execCommand(command, records, o.write, o.signal, o.note);
    if (code !== 0) o.note(`--exec exited with ${code}`);
    await o.flush();
    return code === 0 ? records.length : 0;
  }
  for (let i = 0; i < records.length; i++) {
    const code = await execCommand(command, [records[i]], o.write, o.signal, o.note);
    if (code !== 0) {
      o.note(`--exec exited with ${code}`);
      await o.flush();
      return i;
    }
  }
  await o.flush();
  return records.length;
}
