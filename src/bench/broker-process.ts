// The broker's CPU seconds and peak resident memory during a bench run, read from /proc of its process
// (Linux): the pid comes from --broker-pid, or is found by the port it listens on (/proc/net/tcp gives
// the listening socket's inode, /proc/<pid>/fd/* the process holding it).
//
//   /proc/<pid>/stat:   fields 14 and 15 (after the ")" of the command name) are utime and stime in
//                       clock ticks (USER_HZ, 100 on Linux)
//   /proc/<pid>/status: "VmRSS:  123456 kB" now, "VmHWM:" the peak over the process's life
//   /proc/net/tcp(6):   "sl local_address(hex ip:hex port) rem_address st(0A = LISTEN) ... inode"
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const CLOCK_TICKS_PER_SEC = 100;
const SAMPLE_INTERVAL_MS = 100;

export interface BrokerUsage {
  pid: number;
  /** User + system CPU time the broker spent during the run. */
  cpuSeconds: number;
  /** Highest resident memory sampled during the run (every 100 ms), MB = 10^6 bytes. */
  peakRssMb: number;
}

/** User + system CPU seconds of `pid` so far, or null when it cannot be read. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    return parseCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** utime + stime from the text of /proc/<pid>/stat. */
export function parseCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
}

/** Resident bytes of `pid` now, or null. */
export function rssBytesOf(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The inodes of sockets listening on `port` in the text of /proc/net/tcp or tcp6. */
export function listeningInodes(netTcp: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes: string[] = [];
  for (const line of netTcp.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[3] === '0A' && f[1].endsWith(`:${hexPort}`)) inodes.push(f[9]);
  }
  return inodes;
}

/** The pid of the local process listening on `port`, or null when none is found (or /proc is absent). */
export function findPidByPort(port: number): number | null {
  let inodes: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try { inodes = inodes.concat(listeningInodes(readFileSync(file, 'utf8'), port)); } catch { /* no such table */ }
  }
  if (inodes.length === 0) return null;
  const wanted = new Set(inodes.map((i) => `socket:[${i}]`));
  let pids: string[];
  try { pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return null; }
  for (const pid of pids) {
    let fds: string[];
    try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      try { if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid); } catch { /* closed meanwhile */ }
    }
  }
  return null;
}

/** Watches a broker process from start() to stop(): CPU time used and peak RSS. */
export class BrokerProcess {
  private cpuAtStart = 0;
  private peakRss = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly pid: number) {}

  /** A watcher for the broker given by pid, or by a local bootstrap port; null when neither is found. */
  static locate(pid: number | undefined, bootstrap: string[]): BrokerProcess | null {
    if (pid !== undefined) return cpuSecondsOf(pid) === null ? null : new BrokerProcess(pid);
    for (const hostPort of bootstrap) {
      const m = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?):(\d+)$/.exec(hostPort);
      const found = m ? findPidByPort(Number(m[2])) : null;
      if (found !== null) return new BrokerProcess(found);
    }
    return null;
  }

  start(): void {
    this.cpuAtStart = cpuSecondsOf(this.pid) ?? 0;
    this.peakRss = rssBytesOf(this.pid) ?? 0;
    this.timer = setInterval(() => { this.peakRss = Math.max(this.peakRss, rssBytesOf(this.pid) ?? 0); }, SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): BrokerUsage {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.peakRss = Math.max(this.peakRss, rssBytesOf(this.pid) ?? 0);
    const cpu = (cpuSecondsOf(this.pid) ?? this.cpuAtStart) - this.cpuAtStart;
    return { pid: this.pid, cpuSeconds: Math.round(cpu * 100) / 100, peakRssMb: Math.round(this.peakRss / 1e5) / 10 };
  }
}
