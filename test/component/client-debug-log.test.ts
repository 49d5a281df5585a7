// The client's debug logger (ClientOptions.logger) against an in-process broker: an auto-commit the
// group consumer drops on revoke is written there with the group, partitions and the broker's error,
// so records delivered again later can be explained. Silent (no logger) by default.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAdmin, createGroupConsumer, createProducer } from '../../src/client/index.js';
import { createLogger } from '../../src/util/logger.js';
import { eventually } from '../helpers/mq-process.js';
import { defer, inProcessBroker } from '../helpers/in-process-broker.js';

test('with a debug logger, an auto-commit that fails on revoke is logged (a member removed for a slow poll rejoins)', async (t) => {
  const { bootstrap } = await inProcessBroker(t, { groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 1000 });
  const topic = `debug-log-${process.pid}-${Date.now().toString(36)}`;
  const admin = createAdmin({ bootstrap });
  await admin.createTopic({ topic, partitions: 2, replicationFactor: 1 });
  await admin.close();
  const producer = createProducer({ bootstrap, lingerMs: 1 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ topic, partition: i % 2, value: Buffer.from(`v${i}`) })));
  await producer.close();

  const lines: string[] = [];
  const notices: string[] = [];
  const c = createGroupConsumer({
    bootstrap, groupId: `debug-log-${Date.now().toString(36)}`, topics: [topic], autoOffsetReset: 'earliest',
    sessionTimeoutMs: 3000, maxPollIntervalMs: 1000, autoCommitIntervalMs: 60_000, // commits only on revoke and close
    onNotice: (m) => notices.push(m), logger: createLogger('debug', (line) => lines.push(line)),
  });
  defer(t, () => c.close());
  const it = c.batches()[Symbol.asyncIterator]();
  const first = await it.next();
  assert.ok(!first.done && first.value.length > 0);
  // Holding the batch past max.poll.interval.ms takes the member out of the group (its id is gone).
  await eventually(() => notices.some((n) => /max poll interval/.test(n)) && c.memberId === '', { timeoutMs: 10_000 });
  // The next pull rejoins: the eager protocol commits what was handed out before revoking, with the
  // old membership, and the coordinator refuses it.
  const next = await it.next();
  assert.ok(!next.done);
  const dropped = lines.find((l) => /auto-commit on revoke failed/.test(l));
  assert.ok(dropped, `no dropped-commit line among:\n${lines.join('')}`);
  assert.match(dropped, /^\S+ DEBUG group consumer: auto-commit on revoke failed; records handed out since the last commit will be delivered again /);
  assert.match(dropped, new RegExp(`partitions="?${topic}-\\d`));
  assert.match(dropped, /error=.*(UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION)/);
  await it.return?.();
});

test('without a logger the client writes nothing to stderr', async (t) => {
  const { bootstrap } = await inProcessBroker(t);
  const written: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  t.mock.method(process.stderr, 'write', (chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
  const admin = createAdmin({ bootstrap });
  // A failing describe (no such group) exercises the error paths; none of them prints.
  await assert.rejects(admin.describeGroup('no-such-group'));
  await admin.close();
  assert.deepEqual(written, []);
});
