// Long-running `mq consume -g` processes for group tests: stdout lines and the assignment notices on
// stderr ("mq: group G: assigned t-0 t-1" / "revoked ...") are collected with the time they arrived.
// No import-time side effects (node --test loads this file as a test file too).
import { spawn, type ChildProcess } from 'node:child_process';
import { mqBin } from './mq-process.js';

export interface AssignmentEvent {
  at: number;
  kind: 'assigned' | 'revoked';
  partitions: number[];
}

export interface GroupMember {
  proc: ChildProcess;
  /** Complete stdout lines so far. */
  lines(): string[];
  stderr(): string;
  events(): AssignmentEvent[];
  /** Partitions owned now, from the notices. */
  owned(): Set<number>;
  /** SIGTERM (a clean leave) and wait for exit. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
  /** Stop reading its stdout (the pipe fills and the member's writes wait), and read on again. */
  pauseStdout(): void;
  resumeStdout(): void;
  /** Settles once its stdout has ended and every line in it has been collected. */
  stdoutDone: Promise<void>;
}

/** Starts `mq consume TOPIC -g GROUP ...args` against `bootstrap`. */
export function startMember(bootstrap: string, topic: string, group: string, args: string[] = []): GroupMember {
  const proc = spawn(process.execPath, [mqBin, 'consume', topic, '-g', group, '-b', bootstrap, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done: string[] = [];
  let partial = '';
  let err = '';
  const events: AssignmentEvent[] = [];
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop()!;
    for (const p of parts) done.push(p);
  });
  let errPartial = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    err += d;
    const parts = (errPartial + d).split('\n');
    errPartial = parts.pop()!;
    for (const line of parts) {
      const m = /^mq: group \S+: (assigned|revoked) (.*)$/.exec(line);
      if (!m) continue;
      const partitions = m[2].trim().split(/\s+/).filter(Boolean).map((tp) => Number(tp.slice(tp.lastIndexOf('-') + 1)));
      events.push({ at: Date.now(), kind: m[1] as 'assigned' | 'revoked', partitions });
    }
  });
  const stdoutDone = new Promise<void>((resolve) => proc.stdout!.on('close', () => resolve()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const alive = (): boolean => proc.exitCode === null && proc.signalCode === null;
  return {
    proc, exited, stdoutDone,
    pauseStdout: () => { proc.stdout!.pause(); },
    resumeStdout: () => { proc.stdout!.resume(); },
    lines: () => done,
    stderr: () => err,
    events: () => events,
    owned() {
      const s = new Set<number>();
      for (const e of events) for (const p of e.partitions) (e.kind === 'assigned' ? s.add(p) : s.delete(p));
      return s;
    },
    async stop() {
      if (alive()) proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (alive()) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Values of `n` keyed records "k<i>:v<i>" for `mq produce -k :`, from `from`. */
export function keyedLines(n: number, from = 0): string {
  let s = '';
  for (let i = from; i < from + n; i++) s += `k${i}:v${i}\n`;
  return s;
}
