// queued.max.request.bytes bookkeeping: frames claim their declared size, a frame that finds the pool
// full mutes its connection, and giving bytes back wakes the muted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestMemory, type RequestMemoryUser } from '../../../src/broker/request-memory.js';
import { FrameDecoder } from '../../../src/protocol/frame.js';

function user(): RequestMemoryUser & { muted: boolean } {
  return { muted: false, mute() { this.muted = true; }, unmute() { this.muted = false; } };
}

test('the first frame is admitted whole, the next one waits, and is woken when the first is done', () => {
  const pool = new RequestMemory(100);
  const [a, b] = [user(), user()];
  pool.set(a, 100, 10); // as large as the pool: admitted (one request of the maximum size must fit)
  assert.equal(a.muted, false);
  assert.equal(pool.usedBytes, 100);
  pool.set(b, 50, 5);
  assert.equal(b.muted, true);
  assert.equal(pool.usedBytes, 105, 'a muted connection holds only what it has');
  pool.set(a, 0, 0); // a's frame is whole
  assert.equal(b.muted, false);
  pool.set(b, 50, 6);
  assert.equal(b.muted, false);
  assert.equal(pool.usedBytes, 50);
});

test('a closed connection gives back its claim', () => {
  const pool = new RequestMemory(100);
  const [a, b] = [user(), user()];
  pool.set(a, 120, 1);
  pool.set(b, 10, 1);
  assert.equal(b.muted, true);
  pool.release(a);
  assert.equal(b.muted, false);
  assert.equal(pool.usedBytes, 1);
});

test('FrameDecoder.pendingFrameBytes is the frame in progress at its declared size', () => {
  const d = new FrameDecoder(1 << 20);
  assert.equal(d.pendingFrameBytes, 0);
  d.push(Buffer.from([0, 0]));
  assert.equal(d.pendingFrameBytes, 2);
  d.push(Buffer.from([1, 0, 9]));
  assert.equal(d.pendingFrameBytes, 4 + 256);
  assert.equal(d.buffered, 5);
});
