// The produce purgatory: acks=all waiters settle when the high watermark covers them, on timeout, on
// leadership loss and on shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckPurgatory } from '../../../src/replication/ack-purgatory.js';

test('acks a prefix as the high watermark advances; the rest keep waiting', async () => {
  const p = new AckPurgatory();
  const a = p.wait(5, 0, 60_000);
  const b = p.wait(9, 0, 60_000);
  assert.equal(p.size, 2);
  p.advance(5);
  assert.equal(await a, 'acked');
  assert.equal(p.size, 1);
  p.advance(10);
  assert.equal(await b, 'acked');
  assert.equal(p.size, 0);
});

test('already covered: acked at once', async () => {
  const p = new AckPurgatory();
  assert.equal(await p.wait(3, 3, 10), 'acked');
  assert.equal(p.size, 0);
});

test('times out, fails on leadership loss, and answers at once on shutdown', async () => {
  const p = new AckPurgatory();
  assert.equal(await p.wait(1, 0, 1), 'timeout');
  const lost = p.wait(1, 0, 60_000);
  p.failAll('not-leader');
  assert.equal(await lost, 'not-leader');
  const ac = new AbortController();
  const stopping = p.wait(1, 0, 60_000, ac.signal);
  ac.abort();
  assert.equal(await stopping, 'not-leader');
  assert.equal(p.size, 0);
});
