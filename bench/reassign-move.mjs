#!/usr/bin/env node
// One timed partition move for bench/reassign.sh: asks the controller (as `mq reassign execute` does) to
// move TOPIC-PARTITION onto the replica list TARGET, optionally with --throttle, and times it from the
// request to the moment the controller completes it (the new replica joined the ISR and the reassignment
// record is gone). Prints one JSON line: {topic, partition, from, to, throttleMBps, bytes, seconds, mbPerSec}
// where bytes is the leader's log size when the move started (from its admin endpoint). Needs dist/.
// Usage: node bench/reassign-move.mjs ETCD_URL TOPIC PARTITION TARGET(1,2,..) [THROTTLE_MBPS|0] [TIMEOUT_S]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { EtcdStore } = await import(join(root, 'dist/src/cluster/etcd-store.js'));
const { readReassignStatus, reassignExecute } = await import(join(root, 'dist/src/cli/reassign.js'));
const [endpoints, topic, partitionText, targetText, throttleText = '0', timeoutText = '600'] = process.argv.slice(2);
const partition = Number(partitionText);
const target = targetText.split(',').map(Number);
const throttleMBps = Number(throttleText);
const deadline = Date.now() + Number(timeoutText) * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const store = await EtcdStore.connect({ endpoints });
try {
  const record = JSON.parse((await store.get(`topics/${topic}`)).value);
  const from = record.replicas[partition];
  const started = Date.now();
  await reassignExecute(endpoints, { version: 1, partitions: [{ topic, partition, replicas: target }] }, throttleMBps > 0 ? Math.round(throttleMBps * 1e6) : undefined);
  const key = `reassignments/${topic}/${partition}`;
  let bytes = null;
  let seen = false;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`move of ${topic}-${partition} not finished after ${timeoutText} s`);
    const pending = await store.get(`reassignment-requests/${topic}/${partition}`);
    const running = await store.get(key);
    if (running) seen = true;
    if (running && bytes === null) {
      const s = (await readReassignStatus(store)).find((x) => x.topic === topic && x.partition === partition);
      bytes = s?.leaderSizeBytes ?? null;
    }
    if (seen && !running && !pending) break;
    await sleep(20);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(JSON.stringify({
    topic, partition, from, to: target, throttleMBps: throttleMBps > 0 ? throttleMBps : null, bytes, seconds,
    mbPerSec: bytes === null ? null : Number((bytes / 1e6 / seconds).toFixed(2)),
  }));
} finally {
  await store.close();
}
