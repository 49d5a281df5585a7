// `mq cluster down` (and the clean-up of a failed or foreground `mq cluster up`): stops exactly the
// processes the state file records — each checked against its recorded start time before any signal —
// brokers first with SIGTERM (their clean shutdown: controlled shutdown, logs flushed, registration
// removed), then etcd; whatever outlives its bounded wait gets SIGKILL and a line saying so.
import { sleep } from '../util/promise.js';
import { isRunning, readDevClusterState, removeDevClusterState, signalIfRunning, type DevClusterState, type ProcessRecord } from './dev-cluster-state.js';

/** A broker's clean shutdown waits up to ~5 s for leadership to move away, then closes its logs. */
const BROKER_STOP_TIMEOUT_MS = 20_000;
const ETCD_STOP_TIMEOUT_MS = 10_000;
const KILL_WAIT_MS = 5_000;

export interface StopResult {
  /** False when no cluster was running in the folder (nothing was signalled). */
  wasRunning: boolean;
}

/** Stops the cluster recorded in `dataDir`; says so and succeeds when there is none. */
export async function stopDevCluster(dataDir: string, line: (text: string) => Promise<void>): Promise<StopResult> {
  const state = await readDevClusterState(dataDir);
  if (state === null) {
    await line(`no cluster running in ${dataDir}`);
    return { wasRunning: false };
  }
  const records: ProcessRecord[] = [...state.brokers, ...(state.etcd ? [state.etcd] : [])];
  if (!records.some(isRunning)) {
    await removeDevClusterState(state.dataDir);
    await line(`no cluster running in ${dataDir} (its processes had already exited; removed its cluster.json)`);
    return { wasRunning: false };
  }
  await stopProcesses(state, line);
  return { wasRunning: true };
}

export interface StopTimeouts { brokerStopTimeoutMs?: number; etcdStopTimeoutMs?: number }

/** SIGTERM the brokers (all at once), wait, then etcd; SIGKILL stragglers; removes the state file. */
export async function stopProcesses(state: DevClusterState, line: (text: string) => Promise<void>, timeouts: StopTimeouts = {}): Promise<void> {
  const brokers = state.brokers.map((b) => ({ name: `broker ${b.id}`, rec: b }));
  await stopGroup(brokers, timeouts.brokerStopTimeoutMs ?? BROKER_STOP_TIMEOUT_MS, line);
  if (state.etcd) await stopGroup([{ name: 'etcd', rec: state.etcd }], timeouts.etcdStopTimeoutMs ?? ETCD_STOP_TIMEOUT_MS, line);
  await removeDevClusterState(state.dataDir);
}

async function stopGroup(procs: { name: string; rec: ProcessRecord }[], timeoutMs: number, line: (text: string) => Promise<void>): Promise<void> {
  const signalled = procs.filter((p) => signalIfRunning(p.rec, 'SIGTERM'));
  for (const p of procs) if (!signalled.includes(p)) await line(`${p.name} (pid ${p.rec.pid}) was not running`);
  const pending = new Set(signalled);
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0 && Date.now() < deadline) {
    for (const p of pending) {
      if (!isRunning(p.rec)) { pending.delete(p); await line(`${p.name} stopped (pid ${p.rec.pid})`); }
    }
    if (pending.size > 0) await sleep(100);
  }
  for (const p of pending) {
    await line(`${p.name} (pid ${p.rec.pid}) did not stop within ${timeoutMs / 1000} s of SIGTERM; sending SIGKILL`);
    signalIfRunning(p.rec, 'SIGKILL');
  }
  const killDeadline = Date.now() + KILL_WAIT_MS;
  while ([...pending].some((p) => isRunning(p.rec)) && Date.now() < killDeadline) await sleep(50);
  for (const p of pending) await line(isRunning(p.rec) ? `${p.name} (pid ${p.rec.pid}) is still running after SIGKILL` : `${p.name} killed (pid ${p.rec.pid})`);
}
