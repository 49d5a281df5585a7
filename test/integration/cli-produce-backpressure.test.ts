// `mq produce` back-pressure through a real pipe: while the broker is stopped (SIGSTOP) the CLI must
// stop reading stdin once its producer buffer (--buffer-memory, buffer.memory) is full, instead of
// reading ahead and holding records, and its memory must stay bounded meanwhile; after SIGCONT it must
// read the rest and deliver every line. What the child has taken is measured on the writer's side: the
// bytes whose write() completed (handed to the kernel's pipe or already read by the child).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { brokerForTest, eventually, memoryMiB, mqBin, run, uniqueTopic } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';

const MiB = 1024 * 1024;
/** Pipe and stream buffers between the writer and the producer: the kernel pipe, stdin's chunk, a group of lines. */
const SLACK_BYTES = 4 * MiB;
const LINE_BYTES = 10;
const LINES_PER_CHUNK = 10_000;

/** Chunk `i` of the input: lines `i * LINES_PER_CHUNK` on, each a zero-padded 9-digit number. */
function chunk(i: number): Buffer {
  let s = '';
  for (let n = i * LINES_PER_CHUNK; n < (i + 1) * LINES_PER_CHUNK; n++) s += `${String(n).padStart(LINE_BYTES - 1, '0')}\n`;
  return Buffer.from(s);
}

/**
 * Pipes `lines` lines into `mq produce ARGS` while the broker is stopped until the bytes the child
 * takes stop growing; then resumes the broker, finishes the input and checks every line arrived.
 * Returns what the child had taken and its resident memory at that point.
 */
async function produceThroughStoppedBroker(t: TestContext, lines: number, args: string[]): Promise<{ takenBytes: number; rssMiB: number }> {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('bp');
  assert.equal((await run(['topics', 'create', topic, '-b', broker.bootstrap])).code, 0);

  defer(t, async () => { broker.proc.kill('SIGCONT'); });
  const child = spawn(process.execPath, [mqBin, 'produce', topic, '-b', broker.bootstrap, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  defer(t, async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

  const total = lines * LINE_BYTES;
  let accepted = 0;
  let brokerStopped: () => void = () => undefined;
  const stopped = new Promise<void>((res) => { brokerStopped = res; });
  const writer = (async () => {
    for (let next = 0; next < lines / LINES_PER_CHUNK; next++) {
      if (next === 1) await stopped;
      const c = chunk(next);
      const ok = child.stdin.write(c, (err) => { if (!err) accepted += c.length; });
      if (!ok) await Promise.race([once(child.stdin, 'drain'), exited]);
      if (child.exitCode !== null) return;
    }
    child.stdin.end();
  })();

  // The broker is stopped once the first chunk has reached it (the producer is connected and knows
  // the topic), so what follows waits in the producer's batches, as under a slow broker.
  await eventually(async () => {
    const d = await run(['topics', 'describe', topic, '-b', broker.bootstrap]);
    return /^0\s+0\s+0\s+0\s+0\s+[1-9]/m.test(d.stdout);
  }, { timeoutMs: 30_000 });
  broker.proc.kill('SIGSTOP');
  brokerStopped();

  // The writer goes as fast as the child takes; wait until what it has taken stops growing (ten
  // samples in a row unchanged), or the whole input is taken (the failure this test is about).
  let last = -1;
  let steady = 0;
  while (steady < 10 && accepted < total && child.exitCode === null) {
    await new Promise((res) => setTimeout(res, 200));
    if (accepted === last) steady++;
    else { steady = 0; last = accepted; }
  }
  assert.equal(child.exitCode, null, `mq produce exited while the broker was stopped: ${stderr}`);
  const takenBytes = accepted;
  const rssMiB = await memoryMiB(child.pid!);
  t.diagnostic(`taken from the pipe while the broker was stopped: ${takenBytes} of ${total} bytes; child RSS ${rssMiB.toFixed(0)} MiB`);
  assert.ok(takenBytes < total, `mq produce read the whole input (${total} bytes) while the broker was stopped`);

  broker.proc.kill('SIGCONT');
  await writer;
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, new RegExp(`produced ${lines.toLocaleString('en-US')} records`));
  const consumed = await run(['consume', topic, '-b', broker.bootstrap, '-o', 'beginning', '-e'], { timeoutMs: 120_000 });
  assert.equal(consumed.code, 0, consumed.stderr);
  const got = consumed.stdout.split('\n').filter((l) => l.length > 0);
  assert.equal(got.length, lines);
  assert.equal(new Set(got).size, lines, 'every line exactly once');
  return { takenBytes, rssMiB };
}

test('--buffer-memory 1 MiB: mq produce stops reading stdin while the broker is stopped, then delivers every line', async (t) => {
  const bufferMemory = MiB;
  const { takenBytes } = await produceThroughStoppedBroker(t, 2_000_000, ['--buffer-memory', String(bufferMemory)]);
  assert.ok(takenBytes < bufferMemory + SLACK_BYTES, `took ${takenBytes} bytes from the pipe; the bound is ${bufferMemory + SLACK_BYTES}`);
});

test('default buffer.memory (32 MiB): reading stops within the budget and the process stays small while the broker is stopped', async (t) => {
  const bufferMemory = 32 * MiB;
  const { takenBytes, rssMiB } = await produceThroughStoppedBroker(t, 4_000_000, []);
  assert.ok(takenBytes < bufferMemory + SLACK_BYTES, `took ${takenBytes} bytes from the pipe; the bound is ${bufferMemory + SLACK_BYTES}`);
  // The buffer's records are held as encoded batches, not as a JS object and a promise per line.
  assert.ok(rssMiB < 250, `mq produce holds ${rssMiB.toFixed(0)} MiB while its 32 MiB buffer is full`);
});
