// `mq reassign status` on a terminal (issue 8): a live view redrawn every intervalMs in place (cursor up
// over the previous frame, erase below, draw), one line with a progress bar per moving replica plus a
// totals line; rates and ETAs come from the previous redraw. It ends by itself when nothing is moving
// any more (the last frame is replaced by a one-line summary), and on Ctrl-C (the abort signal) it leaves
// the last frame on screen with the cursor below it.
import { sleep } from '../util/promise.js';
import { liveFrame, type LiveRow } from './reassign-progress.js';
import type { ReassignmentStatus } from './reassign.js';

export interface WatchOptions {
  /** One status read (over etcd or the brokers, reassign-brokers.ts); `previous` gives rates. */
  read(previous?: ReassignmentStatus[]): Promise<ReassignmentStatus[]>;
  intervalMs: number;
  write(text: string): void | Promise<void>;
  /** The terminal's width now (it may be resized). */
  columns(): number;
  signal: AbortSignal;
}

const UP = (n: number): string => `\x1b[${n}A`;
const ERASE_BELOW = '\r\x1b[0J';

/** The live rows of a status: every adding replica of a partition being moved. */
export function liveRows(list: ReassignmentStatus[]): LiveRow[] {
  return list.filter((s) => s.state !== 'requested').flatMap((s) => s.progress.map((p) => ({
    label: `${s.topic}-${s.partition} -> ${p.broker}${s.state === 'cancelling' ? ' (cancelling)' : ''}`,
    figures: p, leaderSizeBytes: s.leaderSizeBytes, throttleBytesPerSec: s.throttleBytesPerSec,
  })));
}

/** Redraws until nothing is moving (resolves true) or the signal aborts (resolves false). */
export async function watchReassignments(o: WatchOptions): Promise<boolean> {
  let drawn = 0;
  let previous: ReassignmentStatus[] | undefined;
  let seen = false;
  while (!o.signal.aborted) {
    const list = await o.read(previous);
    previous = list;
    const erase = drawn > 0 ? UP(drawn) + ERASE_BELOW : '';
    if (list.length === 0) {
      await o.write(`${erase}${seen ? 'all reassignments finished' : 'no reassignments in progress'}\n`);
      return true;
    }
    seen = true;
    const waiting = list.filter((s) => s.state === 'requested').length;
    const lines = liveFrame(liveRows(list), Math.max(20, o.columns()), waiting);
    await o.write(erase + lines.join('\n') + '\n');
    drawn = lines.length;
    try {
      await sleep(o.intervalMs, o.signal);
    } catch {
      return false;
    }
  }
  return false;
}
