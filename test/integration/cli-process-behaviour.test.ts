// The mq CLI as a process a user runs, against one real broker process: `mq produce` exits 1 naming the
// records that were not acknowledged, prints a one-line summary off a terminal and live progress on one
// (tmux), `mq consume | head` exits 0 on the closed pipe, and Ctrl-C ends consume and produce with exit 0
// and no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brokerPerFile, eventually, mqBin, run, tempDir, uniqueTopic } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';

const exec = promisify(execFile);
const shared = brokerPerFile();

const mq = (args: string[], input?: string) => run([...args, '-b', shared.broker.bootstrap], { input, timeoutMs: 60_000 });

test('mq produce exits 1 naming how many records failed and why', async () => {
  const topic = uniqueTopic('unacked');
  assert.equal((await mq(['topics', 'create', topic])).code, 0);
  const res = await mq(['produce', topic, '-p', '5'], 'a\nb\n');
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^mq: error: 2 of 2 records were not acknowledged: UNKNOWN_TOPIC_OR_PARTITION .*partition 5 does not exist/m);
  assert.doesNotMatch(res.stderr, /\n\s+at /);
});

test('mq produce: a one-line summary on stderr (no progress drawing off a terminal), nothing on stdout', async () => {
  const topic = uniqueTopic('sum');
  const res = await mq(['produce', topic, '--acks', '1', '--linger-ms', '0', '--batch-size', '100'], 'a\nb\nc\n');
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, new RegExp(`^produced 3 records \\(3 B\\) to ${topic} in [\\d.]+ m?s \\([\\d.,]+ records/s\\)\\n$`));
});

test('mq consume | head exits 0 without a stack trace (closed pipe)', async () => {
  const topic = uniqueTopic('head');
  const lines = Array.from({ length: 100_000 }, (_, i) => `line-${i}`).join('\n') + '\n';
  assert.equal((await mq(['produce', topic, '--acks', '1'], lines)).code, 0);
  // pipefail: the pipeline's status is mq's. Without -e mq would wait forever at the end, so it must
  // notice the closed pipe while writing.
  const res = await run(['-c', `set -o pipefail; "${process.execPath}" "${mqBin}" consume ${topic} -o beginning -b ${shared.broker.bootstrap} | head -3`], { cmd: 'bash', timeoutMs: 60_000 });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, 'line-0\nline-1\nline-2\n');
  assert.equal(res.stderr, '');
});

test('Ctrl-C (SIGINT) ends mq consume waiting at the end, and mq produce with stdin still open: exit 0, no stack', async (t) => {
  const topic = uniqueTopic('sigint');
  assert.equal((await mq(['produce', topic], 'one\ntwo\n')).code, 0);

  const consumer = spawn(process.execPath, [mqBin, 'consume', topic, '-o', 'beginning', '-b', shared.broker.bootstrap], { stdio: ['ignore', 'pipe', 'pipe'] });
  defer(t, async () => { if (consumer.exitCode === null) consumer.kill('SIGKILL'); });
  let out = '';
  let err = '';
  consumer.stdout.on('data', (d) => { out += d; });
  consumer.stderr.on('data', (d) => { err += d; });
  const consumerExit = new Promise<number | null>((resolve) => consumer.on('close', (code) => resolve(code)));
  await eventually(() => out === 'one\ntwo\n', { timeoutMs: 30_000 });
  consumer.kill('SIGINT');
  assert.equal(await consumerExit, 0);
  assert.equal(out, 'one\ntwo\n');
  assert.doesNotMatch(err, /\n\s+at /);

  const producer = spawn(process.execPath, [mqBin, 'produce', topic, '--acks', '1', '-b', shared.broker.bootstrap], { stdio: ['pipe', 'pipe', 'pipe'] });
  defer(t, async () => { if (producer.exitCode === null) producer.kill('SIGKILL'); });
  let perr = '';
  producer.stderr.on('data', (d) => { perr += d; });
  const producerExit = new Promise<number | null>((resolve) => producer.on('close', (code) => resolve(code)));
  producer.stdin.write('three\n');
  // Once 'three' is readable the producer is idle, waiting on its open stdin.
  await eventually(async () => (await mq(['consume', topic, '-o', '-1', '-e'])).stdout === 'three\n', { timeoutMs: 30_000 });
  producer.kill('SIGINT');
  assert.equal(await producerExit, 0, perr);
  assert.match(perr, /^produced 1 record /m);
  assert.doesNotMatch(perr, /\n\s+at /);
});

test('mq produce shows live progress on a terminal and replaces it with the summary (tmux)', async (t) => {
  const hasTmux = await exec('tmux', ['-V']).then(() => true, () => false);
  assert.ok(hasTmux, 'tmux is installed (test/run.sh installs it)');
  const d = await tempDir();
  defer(t, async () => d.remove());
  const socket = `mq-cli-process-${process.pid}`;
  const tmux = (...args: string[]) => exec('tmux', ['-L', socket, ...args]);
  defer(t, async () => tmux('kill-server').catch(() => undefined));
  const fifo = join(d.path, 'lines');
  await exec('mkfifo', [fifo]);
  const topic = uniqueTopic('tty');
  // stdin is the FIFO (held open by the test), stderr the tmux pane: a terminal.
  const command = `"${process.execPath}" "${mqBin}" produce ${topic} --acks 1 -b ${shared.broker.bootstrap} < "${fifo}"; echo "exit=$?"; sleep 60`;
  await tmux('new-session', '-d', '-s', 'produce', '-x', '120', '-y', '10', command);
  const screen = async (): Promise<string> => (await tmux('capture-pane', '-p', '-t', 'produce')).stdout;
  const writer = await open(fifo, 'w'); // returns once mq's shell has opened the FIFO for reading
  try {
    await writer.write(Array.from({ length: 1000 }, (_, i) => `r${i}`).join('\n') + '\n');
    const live = await eventually(async () => /^1,000 records {2}[\d.,]+ records\/s/m.exec(await screen()), { timeoutMs: 30_000 });
    assert.ok(live);
  } finally {
    await writer.close();
  }
  const final = await eventually(async () => { const s = await screen(); return /exit=\d+/.test(s) ? s : ''; }, { timeoutMs: 30_000 });
  assert.match(final, new RegExp(`^produced 1,000 records \\([\\d.]+ k?B\\) to ${topic} in `, 'm'));
  assert.match(final, /^exit=0$/m);
  assert.doesNotMatch(final, /^[\d,]+ records {2}/m, 'the progress line is erased');
});
