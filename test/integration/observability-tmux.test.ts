// `mq top` in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen. The Ink
// dashboard switches views, filters and drills in; --charts draws its line charts; a broker that is
// killed shows as down while the dashboard keeps running.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { eventually, mqBin, run, startBrokerProcess, tempDir, uniqueTopic } from '../helpers/mq-process.js';

const exec = promisify(execFile);
const socket = `mq-test-${process.pid}`;
const tmux = (...args: string[]) => exec('tmux', ['-L', socket, ...args]);
const screen = async (session: string): Promise<string> => (await tmux('capture-pane', '-p', '-t', session)).stdout;

async function until(session: string, re: RegExp, timeoutMs = 15000): Promise<string> {
  let last = '';
  try {
    await eventually(async () => re.test((last = await screen(session))), { timeoutMs, intervalMs: 100 });
  } catch {
    assert.fail(`screen of ${session} never matched ${re}:\n${last}`);
  }
  return last;
}

async function keys(session: string, ...k: string[]): Promise<void> {
  for (const key of k) await tmux('send-keys', '-t', session, key);
}

async function sessionGone(session: string): Promise<boolean> {
  return tmux('has-session', '-t', session).then(() => false, () => true);
}

describe('mq top in tmux', async () => {
  const dir = await tempDir();
  const broker = await startBrokerProcess(dir.path);
  const topics = [uniqueTopic('alpha'), uniqueTopic('beta')];
  for (const t of topics) assert.equal((await run(['produce', t, '-b', broker.bootstrap], { input: 'a\nb\nc\n' })).code, 0);
  const command = (extra: string) => `${process.execPath} ${mqBin} top --admin ${broker.admin} --interval 0.3 ${extra}`;

  test.after(async () => {
    await tmux('kill-server').catch(() => undefined);
    await broker.stop();
    await dir.remove();
  });

  test('the dashboard: views by key, filter, drill into a topic, q quits', async () => {
    await tmux('new-session', '-d', '-s', 'dash', '-x', '160', '-y', '40', command(''));
    let s = await until('dash', new RegExp(`^0\\s+127\\.0\\.0\\.1:${broker.port}\\s+up\\s+\\*`, 'm'));
    assert.match(s, /q quit\s+1 brokers\s+2 topics/);
    await keys('dash', '2');
    s = await until('dash', new RegExp(`^${topics[1]}\\s+1\\s+0\\s+3`, 'm'));
    assert.match(s, new RegExp(`^${topics[0]}\\s+1\\s+0\\s+3`, 'm'));
    await keys('dash', '/', ...topics[1].slice(0, 6).split(''), 'Enter');
    s = await until('dash', /\(filter: beta-/);
    assert.doesNotMatch(s, new RegExp(`^${topics[0]}`, 'm'));
    await keys('dash', 'Enter');
    s = await until('dash', new RegExp(`Topic ${topics[1]}`));
    assert.match(s, /^0\s+0\s+0\s+0\s+3\s+3\s/m);
    await keys('dash', 'Escape', '3');
    await until('dash', /GROUP\s+STATE\s+MEMBERS\s+LAG/);
    await keys('dash', 'q');
    await eventually(() => sessionGone('dash'), { timeoutMs: 5000 });
  });

  test('--charts draws throughput and lag charts; a killed broker shows as down', async () => {
    await tmux('new-session', '-d', '-s', 'charts', '-x', '160', '-y', '40', command(`--charts --topic ${topics[0]}`));
    let s = await until('charts', new RegExp(`Throughput kB/s: topic ${topics[0]}`));
    assert.match(s, /Lag \(records\)/);
    s = await until('charts', /mq top --charts\s+brokers 1 up/);
    assert.match(s, /-0\.\ds/, 'x axis labels in seconds');
    await broker.kill9();
    await until('charts', /brokers 0 up, 1 DOWN/);
    await keys('charts', 'q');
    await eventually(() => sessionGone('charts'), { timeoutMs: 5000 });
  });
});
