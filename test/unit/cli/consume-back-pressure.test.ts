// mq consume (no -g) and a stdout that is not draining: one write per fetched answer, and no further
// answer is taken from the consumer (so no further fetch is asked for) until stdout drains; then the
// rest comes through whole. Driven through main() with a fake consumer whose answers are real batch
// bytes (test/helpers/fake-decoded.ts), counting how many answers were pulled.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../../commands/index.js';
import type { Deps } from '../../../commands/context.js';
import type { ConsumedRecord, Consumer } from '../../../src/client/types.js';
import { decodedFromRecords } from '../../helpers/fake-decoded.js';
import { eventually } from '../../helpers/mq-process.js';

const ANSWERS = 50;
const PER_ANSWER = 100;

function rec(offset: number): ConsumedRecord {
  return { topic: 't', partition: 0, offset, timestamp: 0, timestampType: 0, key: null, value: Buffer.from(`value-${offset}`), headers: [] };
}

test('a stdout that is not draining holds up the next answer; once it drains, everything arrives', async () => {
  let pulled = 0;
  const consumer: Consumer = {
    async assign() {},
    records() {
      return (async function* () {
        for (let i = 0; i < ANSWERS * PER_ANSWER; i++) yield rec(i);
      })();
    },
    decoded(decode, opts) {
      const answers = decodedFromRecords(this.records(opts), decode, PER_ANSWER);
      return (async function* () {
        for await (const a of answers) { pulled++; yield a; }
      })();
    },
    async close() {},
  };
  const deps: Partial<Deps> = { createConsumer: () => consumer };

  // A stdout whose writes complete only when released.
  const chunks: Buffer[] = [];
  const held: (() => void)[] = [];
  let flowing = false;
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      if (flowing) cb(); else held.push(() => cb());
    },
  });
  const err = new Writable({ write: (_c, _e, cb) => cb() });
  const done = main(['consume', 't', '-o', 'beginning', '-e'], { out, err, stdin: Readable.from([]), env: {}, deps });

  await eventually(() => chunks.length === 1, { timeoutMs: 10_000 });
  // Give the loop many turns to run ahead if it would.
  for (let i = 0; i < 200; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(chunks.length, 1, 'nothing more is written before stdout drains');
  assert.equal(pulled, 1, 'no further answer is taken before stdout drains');
  assert.equal(chunks[0].toString(), Array.from({ length: PER_ANSWER }, (_, i) => `value-${i}\n`).join(''));

  flowing = true;
  for (const release of held.splice(0)) release();
  assert.equal(await done, 0);
  assert.equal(pulled, ANSWERS);
  assert.equal(chunks.length, ANSWERS, 'one write per answer');
  assert.equal(Buffer.concat(chunks).toString(), Array.from({ length: ANSWERS * PER_ANSWER }, (_, i) => `value-${i}\n`).join(''));
});
