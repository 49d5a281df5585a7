import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Producer, ProducerRecord, RecordMetadata } from '../../../src/client/types.js';
import { LineProducer, unacknowledgedError } from '../../../src/cli/line-producer.js';
import type { RawProducer, RawTarget } from '../../../src/client/producer-raw.js';
import { formatProduceSummary } from '../../../src/cli/produce-summary.js';
import { MqError } from '../../../src/util/mq-error.js';

/** A producer that acks asynchronously, or fails records chosen by `failWith`. */
function fakeProducer(failWith: (r: ProducerRecord) => Error | null = () => null) {
  const sent: ProducerRecord[] = [];
  let capacityWaits = 0;
  let flushes = 0;
  const producer: Producer = {
    async send(r) {
      sent.push(r);
      await new Promise((res) => setImmediate(res));
      const err = failWith(r);
      if (err) throw err;
      return { topic: r.topic, partition: 0, offset: sent.length - 1, timestamp: 0 } satisfies RecordMetadata;
    },
    async waitForCapacity() { capacityWaits++; },
    async flush() { flushes++; },
    async close() {},
  };
  return { producer, sent, capacityWaits: () => capacityWaits, flushes: () => flushes };
}

/** One chunk of whole lines (as readLineChunks yields them) per group. */
async function* groups(...gs: string[][]): AsyncGenerator<Buffer> {
  for (const g of gs) yield Buffer.from(g.map((s) => `${s}\n`).join(''));
}

describe('LineProducer', () => {
  test('sends one record per line in order; a producer without enqueue() is asked for capacity every 256 records', async () => {
    const f = fakeProducer();
    const result = await new LineProducer(f.producer, { topic: 't' }).run(groups(['a', 'bb'], ['ccc']));
    assert.deepEqual(f.sent.map((r) => r.value?.toString()), ['a', 'bb', 'ccc']);
    assert.ok(f.sent.every((r) => r.topic === 't' && r.key === null && r.partition === undefined));
    assert.equal(f.capacityWaits(), 0);
    assert.equal(f.flushes(), 1);
    const g = fakeProducer();
    await new LineProducer(g.producer, { topic: 't' }).run(groups(Array.from({ length: 1000 }, String)));
    assert.equal(g.capacityWaits(), 3);
    assert.equal(result.sent, 3);
    assert.equal(result.acknowledged, 3);
    assert.equal(result.bytes, 6);
    assert.equal(result.failed, 0);
    assert.equal(unacknowledgedError(result), null);
  });

  test('with enqueue(), takes no further line while the buffer is full and resumes once it has room', async () => {
    const pending: (() => void)[] = []; // delivery reports of unacknowledged records; two fill the buffer
    const wakers: (() => void)[] = [];
    let waits = 0;
    const sent: string[] = [];
    const ackAll = (): void => {
      for (const ack of pending.splice(0)) ack();
      for (const w of wakers.splice(0)) w();
    };
    const producer: Producer = {
      send: () => Promise.reject(new Error('enqueue() is used')),
      enqueue(r, onDelivery, tag) {
        sent.push(r.value!.toString());
        pending.push(() => onDelivery(null, 0, sent.length - 1, 0, tag ?? 0));
        return pending.length < 2;
      },
      waitForCapacity() {
        waits++;
        return pending.length < 2 ? Promise.resolve() : new Promise((res) => { wakers.push(res); });
      },
      async flush() { ackAll(); },
      async close() {},
    };
    const done = new LineProducer(producer, { topic: 't' }).run(groups(['a', 'bb', 'ccc', 'dddd', 'e'], ['f']));
    const tick = (): Promise<void> => new Promise((res) => setImmediate(res));
    await tick();
    assert.deepEqual(sent, ['a', 'bb'], 'stopped at a full buffer');
    assert.equal(waits, 1);
    ackAll();
    await tick();
    assert.deepEqual(sent, ['a', 'bb', 'ccc', 'dddd'], 'resumed once acks made room, stopped again');
    assert.equal(waits, 2);
    ackAll();
    await tick();
    assert.deepEqual(sent, ['a', 'bb', 'ccc', 'dddd', 'e', 'f'], 'the rest of the chunk and the next one');
    ackAll();
    const result = await done;
    assert.equal(result.acknowledged, 6);
    assert.equal(result.bytes, 12);
  });

  test('splits key and value at the first separator, passes headers and partition', async () => {
    const f = fakeProducer();
    const headers = [{ key: 'h', value: Buffer.from('v') }];
    await new LineProducer(f.producer, { topic: 't', keySeparator: '::', headers, partition: 3 }).run(groups(['k::v::w', 'novalue', '::only']));
    assert.deepEqual(f.sent.map((r) => [r.key?.toString() ?? null, r.value?.toString()]), [['k', 'v::w'], [null, 'novalue'], ['', 'only']]);
    assert.ok(f.sent.every((r) => r.headers === headers && r.partition === 3));
  });

  test('counts failures per code and reports them in one error', async () => {
    const f = fakeProducer((r) => (r.value!.length > 3 ? new MqError('MESSAGE_TOO_LARGE', 'the record batch is larger than max.message.bytes', { hint: 'raise it' }) : null));
    const result = await new LineProducer(f.producer, { topic: 't' }).run(groups(['a', 'toolong', 'b', 'waytoolong', 'c']));
    assert.equal(result.sent, 5, 'record-level failures do not stop the input');
    assert.equal(result.acknowledged, 3);
    assert.equal(result.failed, 2);
    const err = unacknowledgedError(result);
    assert.ok(err instanceof MqError);
    assert.equal(err.message, '2 of 5 records were not acknowledged: MESSAGE_TOO_LARGE the record batch is larger than max.message.bytes');
    assert.equal(err.hint, 'raise it');
  });

  test('stops reading at a failure that would fail every record', async () => {
    let calls = 0;
    const f = fakeProducer(() => (++calls >= 1 ? new MqError('NETWORK_EXCEPTION', 'cannot connect to 127.0.0.1:1: connection refused') : null));
    // The first group's records are handed over before the first failure arrives; later groups are not read.
    let groupsRead = 0;
    async function* many(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 1000; i++) { groupsRead++; yield Buffer.from(`line ${i}\n`); await new Promise((r) => setImmediate(r)); }
    }
    const result = await new LineProducer(f.producer, { topic: 't' }).run(many());
    assert.ok(result.stoppedEarly);
    assert.ok(groupsRead < 10, `read ${groupsRead} groups`);
    assert.equal(result.failed, result.sent);
    assert.match(unacknowledgedError(result)!.message, /^\d+ of \d+ records were not acknowledged: NETWORK_EXCEPTION cannot connect .*; stopped reading the input$/);
  });

  test('an aborted signal stops reading and still settles what was sent', async () => {
    const f = fakeProducer();
    const ac = new AbortController();
    async function* endless(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 10_000; i++) {
        if (i === 5) ac.abort();
        yield Buffer.from(`${i}\n`);
      }
    }
    const result = await new LineProducer(f.producer, { topic: 't' }).run(endless(), ac.signal);
    assert.ok(result.stoppedEarly);
    assert.equal(result.sent, 5);
    assert.equal(result.acknowledged, 5);
  });

  test('handles 200k lines with a bounded number of pending callbacks and keeps order', async () => {
    const f = fakeProducer();
    const all: string[][] = [];
    for (let i = 0; i < 200; i++) all.push(Array.from({ length: 1000 }, (_, j) => String(i * 1000 + j + 1)));
    const result = await new LineProducer(f.producer, { topic: 't' }).run(groups(...all));
    assert.equal(result.acknowledged, 200_000);
    for (let i = 0; i < f.sent.length; i += 9973) assert.equal(f.sent[i].value!.toString(), String(i + 1));
  });
});

describe('formatProduceSummary', () => {
  test('matches the documented shape', () => {
    assert.equal(
      formatProduceSummary({ topic: 't', acknowledged: 200000, bytes: 1_288_895, elapsedMs: 1200 }),
      'produced 200,000 records (1.3 MB) to t in 1.2 s (167,000 records/s)',
    );
    assert.equal(formatProduceSummary({ topic: 'x', acknowledged: 1, bytes: 5, elapsedMs: 3 }), 'produced 1 record (5 B) to x in 3 ms (333 records/s)');
  });
});

describe('LineProducer with appendRaw()', () => {
  test('with appendRaw(), hands each line over as byte ranges of the chunk (no record per line) and counts the per-batch reports', async () => {
    const calls: { src: Buffer; key: string | null; value: string; timestamp: number }[] = [];
    const targets = new Set<RawTarget>();
    let pending: [RawTarget, number, number][] = []; // one report per "batch" of records
    const producer: RawProducer = {
      send: () => Promise.reject(new Error('appendRaw() is used')),
      enqueue: () => { throw new Error('appendRaw() is used'); },
      appendRaw(t, src, keyStart, keyEnd, valueStart, valueEnd, timestamp) {
        targets.add(t);
        calls.push({ src, key: keyStart < 0 ? null : src.toString('utf8', keyStart, keyEnd), value: src.toString('utf8', valueStart, valueEnd), timestamp });
        const last = pending[pending.length - 1];
        if (last && last[1] < 2) { last[1]++; last[2] += valueEnd - valueStart + (keyStart < 0 ? 0 : keyEnd - keyStart); } else pending.push([t, 1, valueEnd - valueStart + (keyStart < 0 ? 0 : keyEnd - keyStart)]);
        return true;
      },
      async waitForCapacity() {},
      async flush() { for (const [t, records, bytes] of pending.splice(0)) t.report(null, records, bytes); },
      async close() {},
    };
    const chunks = [Buffer.from('k1::v1\r\nnokey\n::empty-key\n'), Buffer.from('k2::v2::x\nlast')];
    async function* input(): AsyncGenerator<Buffer> { yield* chunks; }
    const headers = [{ key: 'h', value: Buffer.from('v') }];
    const result = await new LineProducer(producer, { topic: 't', keySeparator: '::', headers, partition: 2 }).run(input());
    assert.deepEqual(calls.map((c) => [c.key, c.value]), [['k1', 'v1'], [null, 'nokey'], ['', 'empty-key'], ['k2', 'v2::x'], [null, 'last']]);
    assert.ok(calls.every((c, i) => c.src === chunks[i < 3 ? 0 : 1]), 'ranges of the input chunks themselves, not copies');
    assert.equal(targets.size, 1, 'one target for the whole run');
    const [target] = targets;
    assert.equal(target.topic, 't');
    assert.equal(target.partition, 2);
    assert.ok(target.encodedHeaders !== null && target.encodedHeaders.count === 1);
    assert.equal(result.sent, 5);
    assert.equal(result.acknowledged, 5);
    assert.equal(result.bytes, 2 + 2 + 5 + 9 + 2 + 5 + 4);
    assert.equal(result.failed, 0);
  });

  test('with appendRaw(), a batch failure counts all its records under its code', async () => {
    const producer: RawProducer = {
      send: () => Promise.reject(new Error('appendRaw() is used')),
      appendRaw(t, _src, _ks, _ke, vs, ve) { queueMicrotask(() => t.report(new MqError('MESSAGE_TOO_LARGE', 'too large'), 1, ve - vs)); return true; },
      async waitForCapacity() {},
      async flush() {},
      async close() {},
    };
    async function* input(): AsyncGenerator<Buffer> { yield Buffer.from('a\nb\nc\n'); }
    const result = await new LineProducer(producer, { topic: 't' }).run(input());
    assert.equal(result.failed, 3);
    assert.equal(unacknowledgedError(result)!.message, '3 of 3 records were not acknowledged: MESSAGE_TOO_LARGE too large');
  });
});
