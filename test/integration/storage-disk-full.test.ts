// A broker on an 8 MiB tmpfs (mounted by the test, as root) is produced to until the disk is full:
// produce fails with KAFKA_STORAGE_ERROR, reads are still served, the broker keeps running, and once
// `mq topics trim` frees space produce works again; every served batch passes its CRC. An admin write on
// the full disk fails as KAFKA_STORAGE_ERROR and works again once space is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createProducer } from '../../src/client/index.js';
import { MqError } from '../../src/util/mq-error.js';
import { readPartitionRaw } from '../helpers/raw-log.js';
import { run, startBrokerProcess, tempDir, uniqueTopic } from '../helpers/mq-process.js';

const isRoot = process.getuid?.() === 0;

test('a full disk fails produce with KAFKA_STORAGE_ERROR, keeps reads, and recovers after a trim', { skip: isRoot ? false : 'needs root to mount a tmpfs' }, async (t) => {
  const d = await tempDir('mq-diskfull-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', d.path]);
  const cleanups: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    execFileSync('umount', ['-l', d.path]);
    await d.remove();
  });
  const broker = await startBrokerProcess(d.path);
  cleanups.push(() => broker.kill9());
  const topic = uniqueTopic('full');
  const created = await run(['topics', 'create', topic, '-p', '1', '--config', 'segment.bytes=1048576', '-b', broker.bootstrap]);
  assert.equal(created.code, 0, created.stderr);

  const producer = createProducer({ bootstrap: [broker.bootstrap], acks: 1, lingerMs: 0, retries: 0, batchSize: 16384 });
  cleanups.push(() => producer.close());
  const value = Buffer.alloc(8000, 0x78);
  let acked = 0;
  let failure: unknown = null;
  for (let i = 0; i < 5000 && failure === null; i++) {
    try {
      await producer.send({ topic, partition: 0, value: Buffer.concat([Buffer.from(`${i}:`), value]) });
      acked++;
    } catch (err) {
      failure = err;
    }
  }
  assert.ok(failure instanceof MqError, `produce failed: ${String(failure)}`);
  assert.equal((failure as MqError).code, 'KAFKA_STORAGE_ERROR');
  assert.ok(acked > 100, `${acked} records fit`);

  // Reads are still served, and nothing half-written is visible.
  const before = await readPartitionRaw(broker.port, topic);
  assert.equal(before.values.length, acked);
  before.values.forEach((v, i) => assert.ok(v.startsWith(`${i}:`)));
  // Still full: a second attempt fails the same way, and the broker is still running.
  await assert.rejects(producer.send({ topic, partition: 0, value }), (e: MqError) => e.code === 'KAFKA_STORAGE_ERROR');
  assert.equal(broker.proc.exitCode, null);

  // Small records fill the last free bytes, so not one page is left: an admin write (the metadata
  // store's) then fails too, as KAFKA_STORAGE_ERROR, not as an unexpected error.
  let small = 0;
  for (; small < 2000; small++) {
    const ok = await producer.send({ topic, partition: 0, value: Buffer.from(`small-${small}`) }).then(() => true, (e: MqError) => {
      assert.equal(e.code, 'KAFKA_STORAGE_ERROR');
      return false;
    });
    if (!ok) break;
  }
  assert.ok(small < 2000, `${small} small records fit`);
  const full = await readPartitionRaw(broker.port, topic);
  assert.equal(full.highWatermark, acked + small);
  const alterFull = await run(['topics', 'alter', topic, '--config', 'retention.ms=3600000', '-b', broker.bootstrap]);
  assert.notEqual(alterFull.code, 0);
  assert.match(alterFull.stderr, /KAFKA_STORAGE_ERROR/);
  assert.doesNotMatch(alterFull.stderr, /UNKNOWN_SERVER_ERROR/);
  // A create that fails there leaves nothing half made behind (the store undoes it in memory too).
  const createFull = await run(['topics', 'create', `${topic}-b`, '-p', '3', '-b', broker.bootstrap]);
  assert.notEqual(createFull.code, 0);
  assert.match(createFull.stderr, /KAFKA_STORAGE_ERROR/);
  assert.equal(broker.proc.exitCode, null);

  const trim = await run(['topics', 'trim', topic, '--before', String(full.highWatermark), '-b', broker.bootstrap]);
  assert.equal(trim.code, 0, trim.stderr);
  for (let i = 0; i < 50; i++) await producer.send({ topic, partition: 0, value: Buffer.from(`after-${i}`) });
  const after = await readPartitionRaw(broker.port, topic);
  assert.equal(after.logStartOffset, full.highWatermark);
  assert.deepEqual(after.values, Array.from({ length: 50 }, (_, i) => `after-${i}`));
  const alterAfter = await run(['topics', 'alter', topic, '--config', 'retention.ms=3600000', '-b', broker.bootstrap]);
  assert.equal(alterAfter.code, 0, alterAfter.stderr);
  const createAfter = await run(['topics', 'create', `${topic}-b`, '-p', '3', '-b', broker.bootstrap]);
  assert.equal(createAfter.code, 0, createAfter.stderr);
  await broker.waitForOutput(/KAFKA_STORAGE_ERROR|ENOSPC|no space/i);
  assert.equal(await broker.stop(), 0, 'a clean stop');

  // The partial writes were cut away while running: a restart finds nothing to truncate.
  const again = await startBrokerProcess(d.path);
  cleanups.push(() => again.kill9());
  assert.deepEqual((await readPartitionRaw(again.port, topic)).values, after.values);
  assert.doesNotMatch(again.output(), /truncated/);
  assert.equal(await again.stop(), 0);
});
