// `mq cluster up`: a development cluster on loopback — one etcd (the `etcd` binary from PATH) and N
// `mq broker start --etcd` processes, each with its own data folder and log file under the data dir.
// It runs until its signal aborts, then stops the brokers (SIGTERM, clean shutdown) and etcd, and
// only the processes it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MqError } from '../util/mq-error.js';

/** bin/mq.js of this installation (this file is dist/src/cli/dev-cluster.js). */
const MQ_BIN = fileURLToPath(new URL('../../../bin/mq.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export interface DevClusterOptions {
  brokers: number;
  dataDir: string;
  signal: AbortSignal;
  /** Receives the lines to print (addresses, then what stopped). */
  line: (text: string) => Promise<void>;
}

interface Child { name: string; proc: ChildProcess; exited: Promise<void> }

/** Starts etcd and the brokers, prints their addresses, and resolves after a clean stop on abort. */
export async function runDevCluster(opts: DevClusterOptions): Promise<void> {
  const dir = resolve(opts.dataDir);
  await mkdir(dir, { recursive: true });
  const children: Child[] = [];
  try {
    const clientPort = await freePort();
    let peerPort = await freePort();
    while (peerPort === clientPort) peerPort = await freePort();
    const endpoint = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const etcd = launch('etcd', 'etcd', [
      '--name', 'mq-dev', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `mq-dev=${peer}`,
      '--log-level', 'warn',
    ], join(dir, 'etcd.log'));
    children.push(etcd);
    await waitForHealthy(endpoint, etcd, opts.signal);
    await opts.line(`etcd ${endpoint} (log: ${join(dir, 'etcd.log')})`);
    const addresses: string[] = [];
    for (let id = 1; id <= opts.brokers; id++) {
      const logFile = join(dir, `broker-${id}.log`);
      const b = launch(`broker ${id}`, process.execPath, [
        MQ_BIN, 'broker', 'start', '--id', String(id), '--etcd', endpoint, '--data', join(dir, `broker-${id}`),
        '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0',
      ], logFile);
      children.push(b);
      const address = await waitForLine(b, /mq broker listening on (\S+)/, opts.signal);
      addresses.push(address);
      await opts.line(`broker ${id} ${address} (log: ${logFile})`);
    }
    await opts.line(`bootstrap ${addresses.join(',')}`);
    await opts.line('Ctrl-C stops the cluster.');
    await new Promise<void>((done) => {
      if (opts.signal.aborted) done();
      opts.signal.addEventListener('abort', () => done(), { once: true });
      for (const c of children) void c.exited.then(() => { if (!opts.signal.aborted) void opts.line(`${c.name} exited`); });
    });
  } finally {
    // Brokers first (they resign and deregister through etcd), then etcd.
    for (const c of children.slice(1).reverse()) c.proc.kill('SIGTERM');
    await Promise.all(children.slice(1).map((c) => c.exited));
    if (children[0]) { children[0].proc.kill('SIGTERM'); await children[0].exited; }
  }
}

function launch(name: string, cmd: string, args: string[], logFile: string): Child & { output: () => string } {
  // Own process group: the terminal's Ctrl-C reaches only mq, which then stops brokers before etcd.
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  let out = '';
  const take = (d: Buffer): void => { log.write(d); if (out.length < 65536) out += d.toString(); };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', take);
  const exited = new Promise<void>((done) => {
    if (proc.exitCode !== null || proc.signalCode !== null) done();
    proc.on('close', () => { log.end(); done(); });
    proc.on('error', () => { log.end(); done(); });
  });
  proc.on('error', (err) => { out += `\n${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} not found on PATH` : err.message}`; });
  return { name, proc, exited, output: () => out };
}

/** Resolves once etcd answers /health; rejects when it exits first or takes too long. */
async function waitForHealthy(endpoint: string, etcd: Child & { output: () => string }, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let gone = false;
  void etcd.exited.then(() => { gone = true; });
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
    } catch {
      // not up yet
    }
    if (gone || Date.now() > deadline || signal.aborted) {
      throw new MqError('CLUSTER_START_FAILED', `etcd did not start: ${etcd.output().trim().split('\n').slice(-3).join(' | ') || 'no output'}`, {
        hint: 'mq cluster up needs the etcd binary on PATH (Debian: apt-get install etcd-server).',
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForLine(c: Child & { output: () => string }, re: RegExp, signal: AbortSignal): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let gone = false;
  void c.exited.then(() => { gone = true; });
  for (;;) {
    const m = re.exec(c.output());
    if (m) return m[1];
    if (gone || Date.now() > deadline || signal.aborted) {
      throw new MqError('CLUSTER_START_FAILED', `${c.name} did not start: ${c.output().trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A loopback port that was free a moment ago (etcd cannot be given port 0). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => done(port));
    });
  });
}
