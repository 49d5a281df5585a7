// Starts a real single-member `etcd` (Debian's etcd-server, from PATH) for tests: free 127.0.0.1 ports,
// its own temp data dir, health-checked before use, stopped by PID. kill9() and restart() (same ports,
// same data) drive failure tests. With `tls` it serves https:// (--cert-file/--key-file, and
// --trusted-ca-file when client certificates are required); health is then read from a plain-http
// metrics URL. enableEtcdAuth() adds a root user and turns authentication on through the v3 API.
// No import-time side effects (node --test loads this file too).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdProcess {
  /** The client URL, e.g. http://127.0.0.1:40123 (https:// with `tls`). */
  endpoint: string;
  dataDir: string;
  readonly pid: number | undefined;
  /** Everything etcd wrote so far (all incarnations). */
  output(): string;
  /** SIGKILL (kill -9) and wait for exit. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data dir; resolves once healthy. */
  restart(): Promise<void>;
  /** Stops it and removes the data dir. */
  close(): Promise<void>;
}

/** A port that was free a moment ago (etcd cannot take port 0, so we ask the kernel first). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return res.ok && body.health === 'true';
  } catch {
    return false;
  }
}

/** Starts etcd; retries with new ports if one was taken between choosing and binding. */
export async function startEtcd(opts: {
  timeoutMs?: number;
  /** Run in this network namespace on `host` with etcd's usual ports (the namespace has them free). */
  netns?: { name: string; host: string };
  /** Serve clients over TLS with this certificate (SANs must name 127.0.0.1); `clientCa` also requires client certificates signed by it. */
  tls?: EtcdTls;
} = {}): Promise<EtcdProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mq-etcd-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const clientPort = opts.netns ? 2379 : await freePort();
    let peerPort = opts.netns ? 2380 : await freePort();
    while (peerPort === clientPort) peerPort = await freePort();
    try {
      const metricsPort = opts.tls ? await freePort() : null;
      return await launch(dataDir, clientPort, peerPort, opts.timeoutMs ?? 20000, opts.netns, opts.tls, metricsPort);
    } catch (err) {
      lastError = err;
      await rm(join(dataDir, 'etcd'), { recursive: true, force: true });
    }
  }
  await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

export interface EtcdTls { cert: string; key: string; clientCa?: string }

async function launch(
  dataDir: string, clientPort: number, peerPort: number, timeoutMs: number, netns: { name: string; host: string } | undefined,
  tls: EtcdTls | undefined, metricsPort: number | null,
): Promise<EtcdProcess> {
  const host = netns?.host ?? '127.0.0.1';
  const endpoint = `${tls ? 'https' : 'http'}://${host}:${clientPort}`;
  const healthUrl = metricsPort === null ? endpoint : `http://${host}:${metricsPort}`;
  const peer = `http://${host}:${peerPort}`;
  const args = [
    '--name', 'mq-test',
    '--data-dir', join(dataDir, 'etcd'),
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `mq-test=${peer}`,
    '--initial-cluster-state', 'new',
    '--logger', 'zap',
    '--log-level', 'warn',
    ...(tls ? ['--cert-file', tls.cert, '--key-file', tls.key, '--listen-metrics-urls', healthUrl] : []),
    ...(tls?.clientCa ? ['--client-cert-auth', '--trusted-ca-file', tls.clientCa] : []),
  ];
  let out = '';
  let proc: ChildProcess;
  let exited: Promise<void>;

  const spawnOnce = async (): Promise<void> => {
    proc = netns
      ? spawn('ip', ['netns', 'exec', netns.name, 'etcd', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => { out += d; });
    proc.stderr!.on('data', (d) => { out += d; });
    const p = proc;
    exited = new Promise<void>((resolve) => p.on('exit', () => resolve()));
    let gone = false;
    void exited.then(() => { gone = true; });
    const spawnError = new Promise<never>((_, reject) => p.on('error', reject));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await Promise.race([healthy(healthUrl), spawnError])) return;
      if (gone) throw new Error(`etcd exited before it was healthy:\n${out}`);
      if (Date.now() > deadline) {
        p.kill('SIGKILL');
        await exited;
        throw new Error(`etcd was not healthy within ${timeoutMs} ms:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const running = (): boolean => proc.exitCode === null && proc.signalCode === null;
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (!running()) return;
    proc.kill(sig);
    await exited;
  };

  await spawnOnce();
  return {
    endpoint,
    dataDir,
    get pid() { return proc.pid; },
    output: () => out,
    kill9: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
    async restart() {
      await signal('SIGKILL');
      await spawnOnce();
    },
    async close() {
      await signal('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Turns on etcd authentication: a `root` user with `rootPassword` (role root) and, when given, a user
 * limited to read-write under /mq/ (what a broker needs). `connect` carries the TLS credentials to reach it.
 */
export async function enableEtcdAuth(endpoint: string, rootPassword: string, opts: {
  credentials?: { rootCertificate: Buffer; certChain?: Buffer; privateKey?: Buffer };
  mqUser?: { name: string; password: string };
} = {}): Promise<void> {
  const { Etcd3, Range } = await import('etcd3');
  const client = new Etcd3({ hosts: endpoint, ...(opts.credentials ? { credentials: opts.credentials } : {}) });
  try {
    await client.role('root').create().catch(() => undefined);
    await client.user('root').create(rootPassword);
    await client.user('root').addRole('root');
    if (opts.mqUser) {
      const role = await client.role('mq').create();
      await role.grant({ permission: 'Readwrite', range: Range.prefix('/mq/') });
      await client.user(opts.mqUser.name).create(opts.mqUser.password);
      await client.user(opts.mqUser.name).addRole('mq');
    }
    await client.auth.authEnable();
  } finally {
    client.close();
  }
}
