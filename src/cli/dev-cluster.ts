// `mq cluster up`: a development cluster on loopback — one etcd (the `etcd` binary from PATH) and N
// `mq broker start --etcd` processes, each with its own data folder and log file under the data dir.
// The processes are detached (own session, output to <data>/etcd.log and <data>/broker-N.log) and
// outlive the command; <data>/cluster.json records them (dev-cluster-state.ts) for `mq cluster
// status` and `mq cluster down`. Ports: broker i (1..N) listens on base-port+i-1 and serves its admin
// endpoint on base-port+100+i-1; etcd takes two free ports. `up` returns once every broker answers
// Metadata listing all N brokers and a controller. With --secure (dev-cluster-secure.ts) etcd serves
// TLS with auth, brokers have SASL_SSL listeners, and readiness is read from each broker's admin
// endpoint (https, the admin user) instead of Metadata.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdmin } from '../client/admin.js';
import type { Admin } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { sleep } from '../util/promise.js';
import { identify, isRunning, readDevClusterState, removeDevClusterState, writeDevClusterState, type BrokerRecord, type DevClusterState, type EtcdRecord, type ProcessRecord } from './dev-cluster-state.js';
import { stopProcesses } from './dev-cluster-stop.js';
import type { ClientSecurity } from '../client/security-options.js';
import { makeDevClusterSecrets, readClientSecurity, secureEtcd, secureEtcdArgs, writeBrokerProperties, writeClientProperties } from './dev-cluster-secure.js';

/** bin/mq.js of this installation (this file is dist/src/cli/dev-cluster.js). */
const MQ_BIN = fileURLToPath(new URL('../../../bin/mq.js', import.meta.url));
const ETCD_START_TIMEOUT_MS = 20_000;
const BROKERS_READY_TIMEOUT_MS = 45_000;
/** Admin endpoints sit this far above the broker ports. */
export const ADMIN_PORT_OFFSET = 100;
export const DEFAULT_BASE_PORT = 9092;

export interface DevClusterOptions {
  brokers: number;
  dataDir: string;
  basePort: number;
  /** Aborting it (Ctrl-C) while starting stops what was started. */
  signal: AbortSignal;
  /** TLS and authentication everywhere (dev-cluster-secure.ts). */
  secure?: boolean;
}

/** Starts etcd and the brokers in the background; resolves with the recorded state once all are ready. */
export async function startDevCluster(opts: DevClusterOptions): Promise<DevClusterState> {
  const lastAdminPort = opts.basePort + ADMIN_PORT_OFFSET + opts.brokers - 1;
  if (lastAdminPort > 65535) {
    throw new MqError('INVALID_ARGUMENT', `--base-port ${opts.basePort} leaves no room for ${opts.brokers} brokers and their admin ports (up to ${lastAdminPort})`, {
      hint: `Use a --base-port of at most ${65535 - ADMIN_PORT_OFFSET - opts.brokers + 1}.`,
    });
  }
  const dir = resolve(opts.dataDir);
  await refuseIfRunning(dir);
  const plan = Array.from({ length: opts.brokers }, (_, i) => ({ id: i + 1, port: opts.basePort + i, adminPort: opts.basePort + ADMIN_PORT_OFFSET + i }));
  for (const b of plan) {
    await mustBeFree(b.port, `broker ${b.id}`);
    await mustBeFree(b.adminPort, `broker ${b.id}'s admin endpoint`);
  }
  await mkdir(dir, { recursive: true });
  const taken = new Set(plan.flatMap((b) => [b.port, b.adminPort]));
  const clientPort = await freePort(taken);
  taken.add(clientPort);
  const peerPort = await freePort(taken);
  const secrets = opts.secure ? await makeDevClusterSecrets(dir) : null;
  const metricsPort = secrets ? await freePort(new Set([...taken, peerPort])) : null;
  const etcdUrl = `${secrets ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const healthUrl = metricsPort === null ? etcdUrl : `http://127.0.0.1:${metricsPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const state: DevClusterState = {
    version: 1, dataDir: dir, startedAt: new Date().toISOString(), etcd: null, brokers: [],
    bootstrap: plan.map((b) => `127.0.0.1:${b.port}`).join(','),
  };
  try {
    const etcd = await launch('etcd', [
      '--name', 'mq-dev', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `mq-dev=${peerUrl}`,
      '--log-level', 'warn',
      ...(secrets ? secureEtcdArgs(secrets, healthUrl) : []),
    ], join(dir, 'etcd.log'));
    state.etcd = { ...etcd, url: etcdUrl, ...(secrets ? { healthUrl } : {}) };
    await writeDevClusterState(state);
    await waitForEtcd(state.etcd, opts.signal);
    if (secrets) {
      await secureEtcd(etcdUrl, secrets);
      const clientProperties = join(dir, 'client.properties');
      await writeClientProperties(clientProperties, secrets);
      state.secure = { clientProperties, ca: secrets.ca };
    }
    for (const b of plan) {
      const address = `127.0.0.1:${b.port}`;
      const admin = `127.0.0.1:${b.adminPort}`;
      const config = join(dir, `broker-${b.id}.properties`);
      if (secrets) await writeBrokerProperties(config, address, secrets);
      const rec = await launch(process.execPath, [
        MQ_BIN, 'broker', 'start', '--id', String(b.id), '--etcd', etcdUrl, '--data', join(dir, `broker-${b.id}`),
        '--admin-listen', admin, ...(secrets ? ['--config', config] : ['--listen', address]),
      ], join(dir, `broker-${b.id}.log`));
      state.brokers.push({ ...rec, id: b.id, address, admin });
      await writeDevClusterState(state);
    }
    await waitForBrokers(state.brokers, state.secure ? await readClientSecurity(state.secure.clientProperties) : undefined, opts.signal);
    return state;
  } catch (err) {
    await stopProcesses(state, async () => undefined);
    throw err;
  }
}

/** The lines `mq cluster up` prints; the last is the bootstrap string alone (`B=$(mq cluster up | tail -1)`). */
export function upLines(state: DevClusterState): string[] {
  return [
    `etcd ${state.etcd?.url ?? '-'} (pid ${state.etcd?.pid ?? '-'}, log: ${state.etcd?.log ?? '-'})`,
    ...state.brokers.map((b) => `broker ${b.id} ${b.address} admin ${state.secure ? 'https://' : ''}${b.admin} (pid ${b.pid}, log: ${b.log})`),
    ...(state.secure ? [
      `secure: SASL_SSL (SCRAM-SHA-512), etcd TLS + auth, CA ${state.secure.ca}; admin super user in ${state.secure.clientProperties}`,
      `  kcat -F ${state.secure.clientProperties} -b ${state.bootstrap} -L    (mq: --command-config ${state.secure.clientProperties})`,
    ] : []),
    `stop it with: mq cluster down --data ${state.dataDir}`,
    state.bootstrap,
  ];
}

/**
 * `mq cluster up --foreground`: reports processes that exit on their own until `signal` aborts
 * (Ctrl-C), then stops them all.
 */
export async function superviseDevCluster(state: DevClusterState, signal: AbortSignal, line: (text: string) => Promise<void>): Promise<void> {
  const procs: { name: string; rec: ProcessRecord }[] = [
    ...(state.etcd ? [{ name: 'etcd', rec: state.etcd as ProcessRecord }] : []),
    ...state.brokers.map((b) => ({ name: `broker ${b.id}`, rec: b as ProcessRecord })),
  ];
  const reported = new Set<string>();
  try {
    while (!signal.aborted) {
      for (const p of procs) {
        if (!reported.has(p.name) && !isRunning(p.rec)) { reported.add(p.name); await line(`${p.name} exited (log: ${p.rec.log})`); }
      }
      await sleep(500, signal).catch(() => undefined);
    }
  } finally {
    await stopProcesses(state, line);
  }
}

async function refuseIfRunning(dir: string): Promise<void> {
  const previous = await readDevClusterState(dir);
  if (previous === null) return;
  const alive = [...(previous.etcd ? [{ name: 'etcd', rec: previous.etcd as ProcessRecord }] : []), ...previous.brokers.map((b) => ({ name: `broker ${b.id}`, rec: b as ProcessRecord }))]
    .filter((p) => isRunning(p.rec));
  if (alive.length > 0) {
    throw new MqError('CLUSTER_RUNNING', `a cluster is already running in ${dir} (${alive.map((p) => `${p.name} pid ${p.rec.pid}`).join(', ')})`, {
      hint: `See it with \`mq cluster status --data ${dir}\`; stop it with \`mq cluster down --data ${dir}\`.`,
    });
  }
  await removeDevClusterState(dir); // every process of that run has exited: a stale file
}

/** Starts `cmd` detached (its own session, outliving this process) with stdout and stderr appended to `logFile`. */
async function launch(cmd: string, args: string[], logFile: string): Promise<ProcessRecord> {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) {
      // A spawn failure (ENOENT: not on PATH) arrives as an 'error' event.
      const err = await new Promise<NodeJS.ErrnoException>((done) => child.once('error', done));
      throw new MqError('CLUSTER_START_FAILED', err.code === 'ENOENT' ? `${cmd} not found on PATH` : `cannot start ${cmd}: ${err.message}`, {
        hint: cmd === 'etcd' ? 'mq cluster up needs the etcd binary on PATH (Debian: apt-get install etcd-server).' : undefined,
      });
    }
    child.unref();
    return { pid: child.pid, startTime: identify(child.pid), log: logFile };
  } finally {
    closeSync(fd);
  }
}

async function waitForEtcd(etcd: EtcdRecord, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + ETCD_START_TIMEOUT_MS;
  for (;;) {
    if (await etcdHealthy(etcd.healthUrl ?? etcd.url)) return;
    if (!isRunning(etcd) || Date.now() > deadline) {
      throw new MqError('CLUSTER_START_FAILED', `etcd did not start${isRunning(etcd) ? ` within ${ETCD_START_TIMEOUT_MS / 1000} s` : ''}: ${await logTail(etcd.log)}`);
    }
    await sleep(100, signal);
  }
}

/** True when etcd at `url` answers /health with {"health":"true"} within a second. */
export async function etcdHealthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/** Waits until every broker answers Metadata listing all the brokers and a controller (over SASL_SSL as the admin user with --secure). */
async function waitForBrokers(brokers: BrokerRecord[], security: ClientSecurity | undefined, signal: AbortSignal): Promise<void> {
  const admins = new Map<number, Admin>(brokers.map((b) => [b.id, createAdmin({ bootstrap: [b.address], clientId: 'mq-cluster-up', requestTimeoutMs: 2000, connectTimeoutMs: 1000, security })]));
  const ready = new Set<number>();
  const lastError = new Map<number, string>();
  const deadline = Date.now() + BROKERS_READY_TIMEOUT_MS;
  try {
    while (ready.size < brokers.length) {
      for (const b of brokers) {
        if (ready.has(b.id)) continue;
        if (!isRunning(b)) throw new MqError('CLUSTER_START_FAILED', `broker ${b.id} exited while starting: ${await logTail(b.log)}`);
        try {
          const md = await admins.get(b.id)!.metadata([]);
          const missing = brokers.filter((x) => !md.brokers.some((y) => y.nodeId === x.id)).map((x) => x.id);
          if (missing.length === 0 && md.controllerId >= 0) ready.add(b.id);
          else lastError.set(b.id, missing.length > 0 ? `its metadata lacks broker${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : 'no controller yet');
        } catch (err) {
          lastError.set(b.id, (err as Error).message);
        }
      }
      if (ready.size === brokers.length) return;
      if (Date.now() > deadline) {
        const late = brokers.filter((b) => !ready.has(b.id));
        throw new MqError('CLUSTER_START_FAILED', `not ready within ${BROKERS_READY_TIMEOUT_MS / 1000} s: ${late.map((b) => `broker ${b.id} (${lastError.get(b.id) ?? 'no answer'}; log: ${b.log})`).join('; ')}`);
      }
      await sleep(200, signal);
    }
  } finally {
    await Promise.all([...admins.values()].map((a) => a.close().catch(() => undefined)));
  }
}

/** The last lines of a log file, joined for an error message. */
async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return `${text.trim().split('\n').slice(-3).join(' | ') || 'no output'} (log: ${file})`;
}

/** Throws a clear error when something already listens on 127.0.0.1:`port`. */
async function mustBeFree(port: number, what: string): Promise<void> {
  const err = await new Promise<NodeJS.ErrnoException | null>((done) => {
    const srv = createServer();
    srv.once('error', (e) => done(e));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(null)));
  });
  if (err) {
    throw new MqError('PORT_IN_USE', `port ${port} for ${what} is ${err.code === 'EADDRINUSE' ? 'already in use' : `not usable (${err.code ?? err.message})`} on 127.0.0.1`, {
      hint: 'Choose other ports with --base-port, or stop what holds it (another cluster: mq cluster down --data DIR).',
    });
  }
}

/** A loopback port that was free a moment ago and is not in `avoid` (etcd cannot be given port 0). */
async function freePort(avoid: Set<number>): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done, fail) => {
      const srv = createServer();
      srv.on('error', fail);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => done(p));
      });
    });
    if (!avoid.has(port)) return port;
  }
}
