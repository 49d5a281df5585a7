// Every `mq` process ends by itself once its work is done: bin/mq.js sets process.exitCode and never
// calls process.exit, so a socket, a timer that is not unref'd, an etcd client or a stdin reader left
// open by a command keeps the process alive, and these tests fail on their deadline instead of
// hiding it. Real commands as child processes against real brokers (and a real etcd).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { startEtcd } from '../helpers/etcd.js';
import { defer } from '../helpers/in-process-broker.js';
import { brokerForTest, mqBin, run, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';

/** A one-shot command's deadline: its work takes well under a second here, so this is all slack. */
const COMMAND_DEADLINE_MS = 15_000;
/** How long a broker may take to exit after it logged that it stopped. */
const EXIT_AFTER_STOP_MS = 3000;

test('bin/mq.js has no forced exit', async () => {
  const source = await readFile(mqBin, 'utf8');
  assert.doesNotMatch(source, /process\.exit\(/, 'bin/mq.js must let the event loop end the process');
});

test('one-shot commands exit by themselves when done: topics, produce, consume -e, groups', async (t) => {
  const broker = await brokerForTest(t);
  const b = ['-b', broker.bootstrap];
  const topic = uniqueTopic('exits');
  const group = `${topic}-group`;
  const steps: { args: string[]; input?: string; code?: number }[] = [
    { args: ['topics', 'create', topic, '-p', '2', ...b] },
    { args: ['topics', 'list', ...b] },
    { args: ['topics', 'describe', topic, ...b] },
    { args: ['produce', topic, ...b], input: 'a\nb\nc\nd\n' },
    { args: ['consume', topic, '-o', 'beginning', '-e', ...b] },
    { args: ['consume', topic, '-g', group, '--auto-offset-reset', 'earliest', '-c', '4', ...b] },
    { args: ['groups', 'list', ...b] },
    { args: ['groups', 'describe', group, ...b] },
    { args: ['topics', 'describe', 'no-such-topic', ...b], code: 1 }, // an error path closes its clients too
  ];
  for (const step of steps) {
    const started = Date.now();
    const r = await run(step.args, { input: step.input, timeoutMs: COMMAND_DEADLINE_MS }).catch((err: Error) => {
      throw new Error(`mq ${step.args.join(' ')} left something open: ${err.message}`);
    });
    assert.equal(r.code, step.code ?? 0, `mq ${step.args.join(' ')}: ${r.stderr}`);
    t.diagnostic(`mq ${step.args.slice(0, 2).join(' ')}: exited ${r.code} after ${Date.now() - started} ms`);
  }
});

/** SIGTERM, then the time from the "broker stopped" log line to the process's exit (SIGKILL and fail past the deadline). */
async function stopAndTimeExit(broker: BrokerProcess, deadlineMs: number): Promise<number> {
  let stoppedAt = 0;
  const onData = (d: Buffer): void => { if (stoppedAt === 0 && /broker stopped/.test(String(d))) stoppedAt = Date.now(); };
  broker.proc.stderr!.on('data', onData);
  broker.proc.stdout!.on('data', onData);
  const exited = broker.stop();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    const check = (): void => {
      if (stoppedAt > 0 && Date.now() - stoppedAt > deadlineMs) resolve('late');
      else timer = setTimeout(check, 100);
    };
    check();
  });
  const first = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (first === 'late') {
    await broker.kill9();
    assert.fail(`the broker was still running ${deadlineMs} ms after it stopped:\n${broker.output().split('\n').slice(-8).join('\n')}`);
  }
  assert.ok(stoppedAt > 0, `the broker never logged that it stopped:\n${broker.output()}`);
  return Date.now() - stoppedAt;
}

test('mq broker start exits by itself after SIGTERM', async (t) => {
  const broker = await brokerForTest(t);
  // A client connected at the moment of the stop must not keep the broker's process alive.
  const r = await run(['topics', 'create', uniqueTopic('exits'), '-b', broker.bootstrap], { timeoutMs: COMMAND_DEADLINE_MS });
  assert.equal(r.code, 0, r.stderr);
  const ms = await stopAndTimeExit(broker, EXIT_AFTER_STOP_MS);
  t.diagnostic(`exited ${ms} ms after "broker stopped"`);
  assert.equal(broker.proc.exitCode, 0);
});

test('a cluster-mode broker exits by itself after SIGTERM even when etcd stopped answering', async (t) => {
  const etcd = await startEtcd();
  defer(t, () => etcd.close());
  const broker = await brokerForTest(t, { args: ['--id', '1', '--etcd', etcd.endpoint] });
  await broker.waitForOutput(/elected controller/, 'the broker became controller', 15_000);
  // etcd hangs (a network partition looks the same): calls and streams to it get no answer, not a reset.
  process.kill(etcd.pid!, 'SIGSTOP');
  defer(t, async () => { process.kill(etcd.pid!, 'SIGCONT'); });
  const ms = await stopAndTimeExit(broker, EXIT_AFTER_STOP_MS);
  t.diagnostic(`exited ${ms} ms after "broker stopped"`);
});
