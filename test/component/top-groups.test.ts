// mq top's Groups view over a real broker: a group's lag grows while its consumer is stopped and
// drains when a consumer of the group resumes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { startBroker } from '../../src/broker/broker.js';
import { createGroupConsumer, createProducer } from '../../src/client/index.js';
import { defaultBrokerConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/util/logger.js';
import { adminSource } from '../../tui/admin-source.js';
import { App } from '../../tui/app.js';
import { defer } from '../helpers/in-process-broker.js';
import { eventually, uniqueTopic } from '../helpers/mq-process.js';
import { tempDirFor } from '../helpers/temp-dir.js';

test('mq top Groups view: lag grows while the consumer is stopped and drains when it resumes', async (t) => {
  const dataDir = await tempDirFor(t, 'mq-top-groups-');
  const broker = await startBroker(
    { ...defaultBrokerConfig(), dataDir, listen: { host: '127.0.0.1', port: 0 }, adminListen: { host: '127.0.0.1', port: 0 } },
    { logger: createLogger('error', () => {}) },
  );
  defer(t, async () => broker.close());
  const bootstrap = [`127.0.0.1:${broker.port}`];
  const topic = uniqueTopic('lag');
  const groupId = uniqueTopic('g');
  const producer = await createProducer({ bootstrap, acks: 1, lingerMs: 0 });
  defer(t, async () => producer.close());
  const produce = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => producer.send({ topic, value: Buffer.from(`v${i}`) })));

  /** Runs a group member until it has committed everything up to the end, then closes it. */
  async function consumeToEnd(expected: number): Promise<void> {
    const consumer = await createGroupConsumer({ bootstrap, groupId, topics: [topic], autoOffsetReset: 'earliest', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
    try {
      let seen = 0;
      const ac = new AbortController();
      for await (const batch of consumer.batches({ signal: ac.signal })) {
        seen += batch.length;
        await consumer.commit();
        if (seen >= expected) break;
      }
    } finally {
      await consumer.close();
    }
  }

  await produce(100);
  await consumeToEnd(100);

  const app = render(createElement(App, { source: adminSource({ admins: [`127.0.0.1:${broker.admin!.port}`], intervalMs: 200 }), initialView: 'groups' }));
  defer(t, async () => app.unmount());
  const frame = (): string => app.lastFrame() ?? '';
  const until = (re: RegExp, timeoutMs = 15000) => eventually(() => re.test(frame()), { timeoutMs }).catch(() => assert.fail(`screen never matched ${re}:\n${frame()}`));
  const row = (lag: number) => new RegExp(`^${groupId}\\s+Empty\\s+0\\s+${lag}\\s`, 'm');

  await until(row(0));
  await produce(150);
  await until(row(150));
  await produce(50);
  await until(row(200));
  assert.match(frame(), /[▁▂▃▄▅▆▇]+█/, 'the lag sparkline rises');
  const metrics = await (await fetch(`http://127.0.0.1:${broker.admin!.port}/metrics`)).text();
  assert.match(metrics, new RegExp(`^mq_group_lag_total\\{group="${groupId}"\\} 200$`, 'm'));
  assert.match(metrics, new RegExp(`^mq_group_committed_offset\\{group="${groupId}",topic="${topic}",partition="0"\\} 100$`, 'm'));

  app.stdin.write('\r');
  await until(new RegExp(`Group ${groupId}`));
  assert.match(frame(), new RegExp(`^${topic}\\s+0\\s+100\\s+300\\s+200`, 'm'));
  app.stdin.write('\u001B');

  await consumeToEnd(200);
  await until(row(0));
});
