// The state file of a local development cluster, `<data>/cluster.json`, written by `mq cluster up` and
// read by `mq cluster status` / `mq cluster down`:
//   { "version": 1, "dataDir": "/abs/dir", "startedAt": "2026-11-25T23:40:00.000Z",
//     "etcd":    { "pid": 4100, "startTime": "881234", "url": "http://127.0.0.1:41234", "log": "/abs/dir/etcd.log" },
//     "brokers": [ { "id": 1, "pid": 4101, "startTime": "881240", "address": "127.0.0.1:9092",
//                    "admin": "127.0.0.1:9192", "log": "/abs/dir/broker-1.log" }, ... ],
//     "bootstrap": "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094" }
// `startTime` is field 22 of /proc/<pid>/stat (clock ticks since boot): a pid is only ever signalled
// while it still has the start time recorded here, so a pid the kernel reused for another program is
// never touched. Written to a temp file and renamed, so a reader never sees half a file.
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MqError } from '../util/mq-error.js';

export interface ProcessRecord {
  pid: number;
  /** /proc/<pid>/stat starttime; null where /proc is unavailable (then only the pid is checked). */
  startTime: string | null;
  log: string;
}

export interface EtcdRecord extends ProcessRecord {
  url: string;
  /** Plain-http URL of etcd's /health when the client URL is https:// (--secure). */
  healthUrl?: string;
}

export interface BrokerRecord extends ProcessRecord {
  id: number;
  /** "127.0.0.1:9092": the Kafka listener. */
  address: string;
  /** "127.0.0.1:9192": the admin HTTP endpoint (/metrics, /v1/*). */
  admin: string;
}

export interface DevClusterState {
  version: 1;
  dataDir: string;
  startedAt: string;
  etcd: EtcdRecord | null;
  brokers: BrokerRecord[];
  bootstrap: string;
  /** --secure: the admin user's client.properties and the CA (dev-cluster-secure.ts). */
  secure?: { clientProperties: string; ca: string };
}

export const STATE_FILE = 'cluster.json';

export function stateFile(dataDir: string): string {
  return join(dataDir, STATE_FILE);
}

/** The state file of `dataDir`, or null when there is none. */
export async function readDevClusterState(dataDir: string): Promise<DevClusterState | null> {
  let text: string;
  try {
    text = await readFile(stateFile(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const state = JSON.parse(text) as DevClusterState;
    if (state.version !== 1 || !Array.isArray(state.brokers)) throw new Error(`unknown version ${String(state.version)}`);
    return state;
  } catch (err) {
    throw new MqError('INVALID_STATE', `${stateFile(dataDir)} is not a cluster state file mq can read: ${(err as Error).message}`, {
      hint: 'Stop the processes it lists by hand, then delete the file.',
    });
  }
}

export async function writeDevClusterState(state: DevClusterState): Promise<void> {
  const file = stateFile(state.dataDir);
  await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  await rename(`${file}.tmp`, file);
}

export async function removeDevClusterState(dataDir: string): Promise<void> {
  await rm(stateFile(dataDir), { force: true });
}

const HAS_PROC = ((): boolean => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/** A process's start time from /proc/<pid>/stat, null when it does not exist or is a zombie. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..." — comm may contain spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null; // exited, waiting to be reaped
    return fields[19] ?? null; // field 22 overall; fields[0] is field 3
  } catch {
    return null;
  }
}

/** The identity to record for a process just started. */
export function identify(pid: number): string | null {
  return HAS_PROC ? processStartTime(pid) : null;
}

/** True while the recorded process runs: same pid and, where /proc exists, the same start time. */
export function isRunning(rec: ProcessRecord): boolean {
  if (HAS_PROC) {
    const now = processStartTime(rec.pid);
    return now !== null && (rec.startTime === null || now === rec.startTime);
  }
  try {
    process.kill(rec.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal` to the recorded process only if it is still that process; false when it was gone. */
export function signalIfRunning(rec: ProcessRecord, signal: NodeJS.Signals): boolean {
  if (!isRunning(rec)) return false;
  try {
    process.kill(rec.pid, signal);
    return true;
  } catch {
    return false;
  }
}
