// `mq cluster status`: the processes a local cluster's state file records — alive or not (pid and
// start time) — etcd's /health, and what the brokers' Metadata says: which brokers are registered
// and which one is controller (for a --secure cluster, whose listeners want SASL, what their admin
// endpoints say, asked over https as the admin user of client.properties).
import { createAdmin } from '../client/admin.js';
import type { ClusterMetadata } from '../client/types.js';
import { isRunning, readDevClusterState } from './dev-cluster-state.js';
import { etcdHealthy } from './dev-cluster.js';
import { AdminHttpClient } from '../client/admin-http.js';
import { adminStatus, readClientSecurity } from './dev-cluster-secure.js';

export interface DevClusterStatus {
  dataDir: string;
  /** True while any recorded process runs. */
  running: boolean;
  etcd: { url: string; pid: number; alive: boolean; healthy: boolean } | null;
  brokers: { id: number; address: string; admin: string; pid: number; alive: boolean; registered: boolean | null; controller: boolean }[];
  /** From Metadata: -1 when no controller is elected, null when no broker answered. */
  controllerId: number | null;
  bootstrap: string | null;
  /** Why Metadata could not be read, when it could not. */
  metadataError?: string;
}

export const STATUS_HEADERS = ['ID', 'ADDRESS', 'ADMIN', 'PID', 'PROCESS', 'REGISTERED', 'CONTROLLER'];

/** The status of the cluster recorded in `dataDir` (running: false when there is no state file). */
export async function devClusterStatus(dataDir: string): Promise<DevClusterStatus> {
  const state = await readDevClusterState(dataDir);
  if (state === null) return { dataDir, running: false, etcd: null, brokers: [], controllerId: null, bootstrap: null };
  const etcdAlive = state.etcd !== null && isRunning(state.etcd);
  const etcd = state.etcd && { url: state.etcd.url, pid: state.etcd.pid, alive: etcdAlive, healthy: etcdAlive && await etcdHealthy(state.etcd.healthUrl ?? state.etcd.url) };
  const alive = new Map(state.brokers.map((b) => [b.id, isRunning(b)]));
  const reachable = state.brokers.filter((b) => alive.get(b.id)).map((b) => b.address);
  /** Who is registered and who is controller, from Metadata (or, --secure, the admin endpoints). */
  let md: { brokerIds: number[]; controllerId: number } | null = null;
  let metadataError: string | undefined;
  if (state.secure && reachable.length > 0) {
    // SASL_SSL listeners: ask the admin endpoints (https, the admin user) who is up and who is controller.
    const http = new AdminHttpClient(await readClientSecurity(state.secure.clientProperties));
    const answers = await Promise.all(state.brokers.filter((b) => alive.get(b.id)).map((b) => adminStatus(http, b.admin).catch((err: Error) => err)));
    const ok = answers.filter((a): a is { nodeId: number; controllerId: number } => !(a instanceof Error));
    if (ok.length > 0) md = { brokerIds: ok.map((a) => a.nodeId), controllerId: ok[0].controllerId };
    else metadataError = (answers[0] as Error).message;
  } else if (reachable.length > 0) {
    const admin = createAdmin({ bootstrap: reachable, clientId: 'mq-cluster-status', requestTimeoutMs: 3000, connectTimeoutMs: 1000 });
    try {
      const answer: ClusterMetadata = await admin.metadata([]);
      md = { brokerIds: answer.brokers.map((x) => x.nodeId), controllerId: answer.controllerId };
    } catch (err) {
      metadataError = (err as Error).message;
    } finally {
      await admin.close().catch(() => undefined);
    }
  }
  return {
    dataDir: state.dataDir,
    running: etcdAlive || [...alive.values()].some(Boolean),
    etcd,
    brokers: state.brokers.map((b) => ({
      id: b.id, address: b.address, admin: b.admin, pid: b.pid, alive: alive.get(b.id) ?? false,
      registered: md ? md.brokerIds.includes(b.id) : null,
      controller: md?.controllerId === b.id,
    })),
    controllerId: md ? md.controllerId : null,
    bootstrap: state.bootstrap,
    ...(metadataError !== undefined ? { metadataError } : {}),
  };
}

/** The text form: a line for etcd, the broker table's rows, and a summary line. */
export function statusText(s: DevClusterStatus): { etcd: string; rows: string[][]; summary: string } {
  const etcd = s.etcd
    ? `etcd ${s.etcd.url} pid ${s.etcd.pid} ${s.etcd.alive ? 'alive' : 'dead'}, ${s.etcd.healthy ? 'healthy' : 'not healthy'}`
    : 'etcd: not recorded';
  const rows = s.brokers.map((b) => [
    String(b.id), b.address, b.admin, String(b.pid), b.alive ? 'alive' : 'dead',
    b.registered === null ? '?' : b.registered ? 'yes' : 'no', b.controller ? 'yes' : '',
  ]);
  const up = s.brokers.filter((b) => b.alive).length;
  const controller = s.controllerId === null ? `controller unknown (${s.metadataError ?? 'no broker running'})`
    : s.controllerId < 0 ? 'no controller elected' : `controller: broker ${s.controllerId}`;
  return { etcd, rows, summary: `${up} of ${s.brokers.length} brokers alive; ${controller}; bootstrap ${s.bootstrap ?? '-'}` };
}
