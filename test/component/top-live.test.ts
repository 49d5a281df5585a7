// mq top's Ink views over adminSource polling a real in-process broker: the broker row, the topic's
// partitions with offsets and throughput as records are produced, and the broker shown as down once
// it stops while the dashboard keeps running.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { startBroker } from '../../src/broker/broker.js';
import { createProducer } from '../../src/client/index.js';
import { defaultBrokerConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/util/logger.js';
import { adminSource } from '../../tui/admin-source.js';
import { App } from '../../tui/app.js';
import { defer } from '../helpers/in-process-broker.js';
import { eventually, uniqueTopic } from '../helpers/mq-process.js';
import { tempDirFor } from '../helpers/temp-dir.js';

test('mq top over a running broker: brokers, topics with live offsets and rates, then the broker down', async (t) => {
  const dataDir = await tempDirFor(t, 'mq-top-');
  const broker = await startBroker(
    { ...defaultBrokerConfig(), dataDir, listen: { host: '127.0.0.1', port: 0 }, adminListen: { host: '127.0.0.1', port: 0 } },
    { logger: createLogger('error', () => {}) },
  );
  let brokerOpen = true;
  defer(t, async () => { if (brokerOpen) await broker.close(); });
  assert.ok(broker.admin && broker.admin.port > 0, 'admin endpoint bound');
  const admin = `${broker.admin.host}:${broker.admin.port}`;

  const topic = uniqueTopic('top');
  const producer = await createProducer({ bootstrap: [`127.0.0.1:${broker.port}`], acks: 1, lingerMs: 0 });
  defer(t, async () => producer.close());

  const app = render(createElement(App, { source: adminSource({ admins: [admin], intervalMs: 200 }) }));
  defer(t, async () => app.unmount());
  const frame = (): string => app.lastFrame() ?? '';
  const until = (re: RegExp, timeoutMs = 10000) => eventually(() => re.test(frame()), { timeoutMs }).catch(() => assert.fail(`screen never matched ${re}:\n${frame()}`));

  await until(new RegExp(`^0\\s+127\\.0\\.0\\.1:${broker.port}\\s+up\\s+\\*\\s+0\\s+0`, 'm'));

  // Keep producing while we look, so the rates are non-zero.
  let sending = true;
  let sent = 0;
  const load = (async () => {
    while (sending) {
      await Promise.all(Array.from({ length: 50 }, () => producer.send({ topic, value: Buffer.alloc(1000, 'x') })));
      sent += 50;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  defer(t, async () => { sending = false; await load.catch(() => undefined); });

  await until(/^0\s+\S+\s+up\s+\*\s+1\s+1\s+[1-9][\d.]* (kB|MB)\/s/m);
  app.stdin.write('2');
  await until(new RegExp(`^${topic}\\s+1\\s+0\\s+[1-9]\\d*\\s+[1-9][\\d.]* (kB|MB)/s`, 'm'));
  app.stdin.write('\r');
  await until(new RegExp(`Topic ${topic}`));
  await until(/^0\s+0\s+0\s+0\s+[1-9]\d*\s+[1-9]\d*\s+\S+ (kB|MB)/m);
  sending = false;
  await load;
  const total = sent;
  await until(new RegExp(`^0\\s+0\\s+0\\s+0\\s+${total}\\s+${total}\\s`, 'm'));

  app.stdin.write('1');
  await broker.close();
  brokerOpen = false;
  await until(/^0\s+127\.0\.0\.1:\d+\s+DOWN/m);
  assert.match(frame(), /brokers 0 up, 1 DOWN/);
});
