// Spawns real `mq` processes for integration tests: brokers on 127.0.0.1 port 0 in temp dirs, and
// one-shot commands with stdin/stdout captured. No import-time side effects (node --test loads this
// file as a test file too).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, type TestContext } from 'node:test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defer } from './in-process-broker.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const mqBin = join(repoRoot, 'bin', 'mq.js');

/** A fresh temp folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'mq-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }) };
}

export interface BrokerProcess {
  proc: ChildProcess;
  port: number;
  bootstrap: string;
  dataDir: string;
  /** The admin HTTP endpoint (/metrics, /v1/*), started on 127.0.0.1:0. */
  adminPort: number;
  /** "127.0.0.1:<adminPort>" */
  admin: string;
  /** The bound port of a listener by name (PLAINTEXT, SASL_SSL, ...), from the broker's start line. */
  listenerPort(name: string): number;
  /** Everything the broker wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill9(): Promise<void>;
  /**
   * Waits up to `timeoutMs` for the output to match `re`, then asserts it does. A line the broker logs
   * as it acts can reach this process after the act's other effects (a store read, a response on a
   * socket, a line on its other stream), so a log line is waited for, never read once.
   */
  waitForOutput(re: RegExp, message?: string, timeoutMs?: number): Promise<void>;
}

/** Starts `mq broker start` on 127.0.0.1:0 (or `port`) with `dataDir`; resolves once it listens. */
export async function startBrokerProcess(dataDir: string, opts: {
  env?: Record<string, string>; args?: string[]; port?: number;
  /** Listen on this address (default 127.0.0.1). */
  host?: string;
  /** Kafka listeners instead of one PLAINTEXT one (e.g. PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0). */
  listeners?: string;
  /** Run inside this network namespace (`ip netns exec`, which keeps the PID: kill -9 reaches the broker). */
  netns?: string;
  /** How long it may take to listen (default 15 s; opening 10,000 logs on a loaded machine takes longer). */
  startTimeoutMs?: number;
} = {}): Promise<BrokerProcess> {
  const host = opts.host ?? '127.0.0.1';
  const argv = [mqBin, 'broker', 'start', '--data', dataDir, '--listen', opts.listeners ?? `${host}:${opts.port ?? 0}`, '--admin-listen', `${host}:0`, ...(opts.args ?? [])];
  const [cmd, cmdArgs] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, process.execPath, ...argv]] : [process.execPath, argv];
  const proc = spawn(cmd, cmdArgs, {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  // 'close', not 'exit': it comes once stdout and stderr are drained, so output() is complete after stop().
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const [port, adminPort] = await new Promise<[number, number]>((resolve, reject) => {
    const startTimeoutMs = opts.startTimeoutMs ?? 15_000;
    const timer = setTimeout(() => reject(new Error(`broker did not start within ${startTimeoutMs} ms:\n${out}`)), startTimeoutMs);
    const check = (): void => {
      const m = /mq broker listening on [^\s:]+:(\d+)/.exec(out);
      const a = /mq admin listening on [^\s:]+:(\d+)/.exec(out);
      if (m && a) { clearTimeout(timer); resolve([Number(m[1]), Number(a[1])]); }
    };
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', check);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`broker exited with ${code} before listening:\n${out}`)); });
  });
  return {
    proc, port, bootstrap: `${host}:${port}`, dataDir, adminPort, admin: `${host}:${adminPort}`,
    output: () => out,
    listenerPort(name) {
      const m = new RegExp(`listeners=\\S*?\\b${name}://[^,\\s]*:(\\d+)`).exec(out);
      if (m === null) throw new Error(`no listener ${name} in the broker's start line:\n${out}`);
      return Number(m[1]);
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) { await exited; return; }
      proc.kill('SIGKILL');
      await exited;
    },
    async waitForOutput(re, message, timeoutMs = 5000) {
      await eventually(() => re.test(out), { timeoutMs }).catch(() => undefined);
      assert.match(out, re, message);
    },
  };
}

/** A broker process on a fresh folder for one test: stopped, then its folder removed, when the test ends. */
export async function brokerForTest(t: TestContext, opts: Parameters<typeof startBrokerProcess>[1] = {}): Promise<BrokerProcess> {
  const dir = await tempDir();
  defer(t, () => dir.remove());
  const broker = await startBrokerProcess(dir.path, opts);
  defer(t, async () => { await broker.stop(); });
  return broker;
}

export interface RunResult { code: number | null; stdout: string; stderr: string }

/** Runs `mq ARGS` (or any command with `cmd`) to completion, feeding `input` on stdin. */
export function run(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number; cmd?: string } = {}): Promise<RunResult> {
  const cmd = opts.cmd ?? process.execPath;
  const argv = opts.cmd ? args : [mqBin, ...args];
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, argv, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    proc.stdout.on('data', (d) => stdout.push(d));
    proc.stderr.on('data', (d) => stderr.push(d));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${opts.cmd ?? 'mq'} ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60000} ms; stderr: ${Buffer.concat(stderr)}`));
    }, opts.timeoutMs ?? 60000);
    proc.on('error', (err) => { clearTimeout(timer); reject(err); });
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
    proc.stdin.on('error', () => { /* the command may exit before reading everything */ });
    proc.stdin.end(opts.input ?? '');
  });
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then throws its last error). */
export async function eventually<T>(fn: () => Promise<T> | T, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10000);
  let last: unknown = new Error('condition never held');
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** VmRSS (now) or VmHWM (the peak over the process's life) of process `pid` in MiB, from /proc/<pid>/status. */
export async function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * One broker process for a whole test file: started in `before`, stopped with its data removed in
 * `after`. Read `.broker` inside tests only; `restart()` stops it cleanly and starts it again on the same
 * data with the same options (a new port).
 */
export function brokerPerFile(opts: Parameters<typeof startBrokerProcess>[1] = {}): { readonly broker: BrokerProcess; restart(): Promise<BrokerProcess> } {
  let broker: BrokerProcess | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  before(async () => {
    dir = await tempDir();
    broker = await startBrokerProcess(dir.path, opts);
  });
  after(async () => {
    await broker?.stop();
    await dir?.remove();
  });
  return {
    get broker(): BrokerProcess {
      if (!broker || !dir) throw new Error('the file broker is not started yet (use it inside a test)');
      return broker;
    },
    async restart(): Promise<BrokerProcess> {
      await this.broker.stop();
      broker = await startBrokerProcess(dir!.path, opts);
      return broker;
    },
  };
}

/** A running `mq produce TOPIC -k :` fed keyed lines `k<i % keys>:v<i>` through its stdin. */
export interface KeyedProducer {
  /** Writes the next `n` lines (waits for stdin to drain when it is full). */
  send(n: number): Promise<void>;
  /** Lines written so far. */
  readonly sent: number;
  /** Closes stdin and resolves to the exit code; its stderr is in `stderr()`. */
  end(): Promise<number | null>;
  stderr(): string;
}

/** Starts `mq produce` with keys (killed in t.after if still running); `args` are extra flags. */
export function startKeyedProducer(t: { after(fn: () => unknown): void }, bootstrap: string, topic: string, keys: number, args: string[] = []): KeyedProducer {
  const child = spawn(process.execPath, [mqBin, 'produce', topic, '-k', ':', ...args, '-b', bootstrap], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let sent = 0;
  return {
    async send(n: number): Promise<void> {
      const lines: string[] = [];
      for (let i = 0; i < n; i++, sent++) lines.push(`k${sent % keys}:v${sent}`);
      if (!child.stdin!.write(lines.join('\n') + '\n')) await new Promise((r) => child.stdin!.once('drain', r));
    },
    get sent() { return sent; },
    end(): Promise<number | null> { child.stdin!.end(); return exit; },
    stderr: () => err,
  };
}
