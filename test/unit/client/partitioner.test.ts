import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, toPositive } from '../../../src/client/murmur2.js';
import { Partitioner } from '../../../src/client/partitioner.js';

const require = createRequire(import.meta.url);
// kafkajs implements the same Java murmur2; used only as an oracle for random keys.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

describe('murmur2', () => {
  test('matches the vectors of Kafka UtilsTest.testMurmur2', () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of cases) assert.equal(murmur2(Buffer.from(key)), expected, key);
  });

  test('agrees with kafkajs on random keys of every tail length', () => {
    let seed = 12345;
    const next = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 16; };
    for (let i = 0; i < 500; i++) {
      const key = Buffer.alloc(i % 37);
      for (let j = 0; j < key.length; j++) key[j] = next() & 0xff;
      assert.equal(murmur2(key), kafkajsMurmur2(key), key.toString('hex'));
    }
  });

  test('toPositive clears only the sign bit', () => {
    assert.equal(toPositive(-1), 0x7fffffff);
    assert.equal(toPositive(-2147483648), 0);
    assert.equal(toPositive(42), 42);
  });
});

describe('Partitioner', () => {
  test('keyed records go to toPositive(murmur2(key)) % n', () => {
    const p = new Partitioner(() => 0);
    // -973932308 & 0x7fffffff = 1173551340
    assert.equal(p.partition('t', Buffer.from('21'), 7), 1173551340 % 7);
    assert.equal(p.partition('t', Buffer.from('foobar'), 3), toPositive(-790332482) % 3);
    for (let i = 0; i < 100; i++) {
      const key = Buffer.from(`user-${i}`);
      assert.equal(p.partition('t', key, 10), toPositive(kafkajsMurmur2(key)) % 10);
    }
  });

  test('an explicit partition wins over the key', () => {
    const p = new Partitioner();
    assert.equal(p.partition('t', Buffer.from('21'), 7, 5), 5);
    assert.equal(p.partition('t', null, 7, 0), 0);
  });

  test('keyless records stick to one partition until its batch is closed', () => {
    const rolls = [0.5, 0.0, 0.99];
    const p = new Partitioner(() => rolls.shift() ?? 0);
    const first = p.partition('t', null, 4);
    assert.equal(first, 2);
    for (let i = 0; i < 10; i++) assert.equal(p.partition('t', undefined, 4), first);
    // closing another partition's batch does not move the sticky partition
    p.batchClosed('t', 0, 4);
    assert.equal(p.partition('t', null, 4), first);
    p.batchClosed('t', first, 4);
    const second = p.partition('t', null, 4);
    assert.notEqual(second, first);
    assert.equal(second, 3);
    p.batchClosed('t', second, 4);
    const third = p.partition('t', null, 4);
    assert.notEqual(third, second);
  });

  test('each topic has its own sticky partition; one partition never moves', () => {
    const p = new Partitioner(() => 0.7);
    assert.equal(p.partition('a', null, 10), 7);
    assert.equal(p.partition('b', null, 2), 1);
    p.batchClosed('c', 0, 1);
    assert.equal(p.partition('c', null, 1), 0);
    p.batchClosed('c', 0, 1);
    assert.equal(p.partition('c', null, 1), 0);
  });

  test('a sticky partition beyond a shrunk count is re-chosen', () => {
    const p = new Partitioner(() => 0.9);
    assert.equal(p.partition('t', null, 10), 9);
    assert.equal(p.partition('t', null, 3), 2);
  });

  test('sticky switching spreads keyless batches over all partitions', () => {
    const p = new Partitioner();
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const part = p.partition('t', null, 5);
      seen.add(part);
      p.batchClosed('t', part, 5);
    }
    assert.equal(seen.size, 5);
  });
});
