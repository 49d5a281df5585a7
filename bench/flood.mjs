// Issue 14: a normal client's produce latency on a quiet broker, then under a flood: 2,000 idle connections,
// 20 half-sent frames declaring 100 MiB (10 MiB of each sent), two clients that never read the answers to
// 200 Fetches of 200 partitions each. 2,000 produces of 1 KB (acks=1, flush.policy=os) one at a time, twice
// in each state; prints p50/p99 and the broker's RSS (now and peak). After `npx tsc -p .`:
//
//   node bench/flood.mjs
import net from 'node:net';
const D = new URL('../dist/', import.meta.url).href;
const { startBrokerProcess, tempDir, memoryMiB } = await import(D + 'test/helpers/mq-process.js');
const { WireSocket, createTopicOnWire } = await import(D + 'test/helpers/wire.js');
const { ApiKey } = await import(D + 'src/protocol/api.js');
const { RecordBatchBuilder } = await import(D + 'src/protocol/record-batch-builder.js');
const MiB = 1 << 20;
const dir = await tempDir();
const broker = await startBrokerProcess(dir.path, { env: { MQ_SOCKET_REQUEST_READ_TIMEOUT_MS: '600000', MQ_LOG_FLUSH_POLICY: 'os' } });
await createTopicOnWire(broker.port, 'p99'); await createTopicOnWire(broker.port, 'fill');
async function lat(n) {
  const s = await WireSocket.connect(broker.port); const t = [];
  for (let i = 0; i < n; i++) {
    const b = new RecordBatchBuilder({ maxBytes: 1 << 20 }); b.tryAppend({ key: null, value: Buffer.alloc(1000, 1), timestamp: Date.now() });
    const st = performance.now();
    await s.request(ApiKey.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: 'p99', partitionData: [{ index: 0, records: b.build() }] }] });
    t.push(performance.now() - st);
  }
  s.close(); t.sort((a, b) => a - b);
  return `p50 ${t[Math.floor(n * 0.5)].toFixed(2)} ms p99 ${t[Math.floor(n * 0.99)].toFixed(2)} ms`;
}
const ws = await WireSocket.connect(broker.port);
for (let i = 0; i < 8; i++) {
  const b = new RecordBatchBuilder({ maxBytes: 2 << 20 }); b.tryAppend({ key: null, value: Buffer.alloc(1_000_000, i), timestamp: Date.now() });
  await ws.request(ApiKey.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: 'fill', partitionData: [{ index: 0, records: b.build() }] }] });
}
ws.close();
console.log('quiet  ', await lat(2000)); console.log('quiet  ', await lat(2000));
const conn = () => new Promise((r, j) => { const s = net.connect(broker.port, '127.0.0.1', () => r(s)); s.once('error', j); });
const idle = []; for (let i = 0; i < 2000; i += 100) idle.push(...await Promise.all(Array.from({ length: 100 }, conn)));
const body = Buffer.alloc(10 * MiB, 1); const head = Buffer.alloc(4); head.writeInt32BE(100 * MiB);
const half = await Promise.all(Array.from({ length: 20 }, conn)); for (const s of half) { s.on('error', () => {}); s.write(head); s.write(body); }
const slow = [];
for (let c = 0; c < 2; c++) {
  const s = await WireSocket.connect(broker.port); s.socket.pause();
  const partitions = Array.from({ length: 200 }, () => ({ partition: 0, fetchOffset: 0n, partitionMaxBytes: 8 * MiB }));
  for (let i = 0; i < 200; i++) s.send(ApiKey.Fetch, 4, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 50 * MiB, isolationLevel: 0, topics: [{ topic: 'fill', partitions }] });
  slow.push(s);
}
console.log('flood 1', await lat(2000)); console.log('flood 2', await lat(2000));
console.log('broker RSS', (await memoryMiB(broker.proc.pid)).toFixed(0), 'MB, peak', (await memoryMiB(broker.proc.pid, 'VmHWM')).toFixed(0), 'MB');
for (const s of [...idle, ...half]) s.destroy(); for (const s of slow) s.close();
await broker.stop(); await dir.remove();
