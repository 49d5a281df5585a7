// A millisecond clock that two processes on one machine read alike: CLOCK_MONOTONIC (what
// process.hrtime reads, counted from boot for every process) in ms, read through performance.now()
// plus a per-process offset measured once, so each read allocates nothing. `mq bench e2e` stamps the
// send time with it in the producing process and subtracts it from the receive time in the consuming one.
import { performance } from 'node:perf_hooks';

/** sharedClockMs() - performance.now() in this process. */
export const SHARED_CLOCK_OFFSET_MS = Number(process.hrtime.bigint()) / 1e6 - performance.now();

export function sharedClockMs(): number {
  return performance.now() + SHARED_CLOCK_OFFSET_MS;
}
