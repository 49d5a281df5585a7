// Bounded decoding (issue 14): an array count is checked against the bytes its elements need at their
// smallest, against a per-array cap and against the message's element budget, before any element is
// built; a string that is not valid UTF-8 is refused. Plus: the topic config ranges are Log's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { array, int32, int64, MAX_ARRAY_ELEMENTS, minBytesOf, string, struct } from '../../../src/protocol/codec.js';
import { MetadataRequest } from '../../../src/protocol/messages/metadata.js';
import { FetchRequest } from '../../../src/protocol/messages/fetch.js';
import { Reader } from '../../../src/protocol/reader.js';
import { parseStoredTopicConfig, parseTopicConfig } from '../../../src/config/topic-config.js';
import { Log } from '../../../src/storage/log.js';
import { MqError } from '../../../src/util/mq-error.js';

function withCount(count: number, rest: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(count);
  return Buffer.concat([head, rest]);
}

const invalidRequest = (re: RegExp) => (err: unknown): boolean => err instanceof MqError && err.code === 'INVALID_REQUEST' && re.test(err.message);

describe('bounded decoding', () => {
  test('an element takes at least the sum of its fields: a struct of INT32 + INT64 is 12 bytes', () => {
    assert.equal(minBytesOf(struct({ a: int32, b: int64 }), 0), 12);
    assert.equal(minBytesOf(FetchRequest, 4), 4 + 4 + 4 + 4 + 1 + 4);
  });

  test('a count of INT32s the remaining bytes cannot hold is refused before decoding any', () => {
    // 3 elements of 4 bytes need 12; 11 are there. The old check (count <= bytes left) let it through.
    const buf = withCount(3, Buffer.alloc(11));
    assert.throws(() => array(int32).decode(new Reader(buf), 0), invalidRequest(/3 elements of at least 4 bytes cannot fit in 11/));
    assert.deepEqual(array(int32).decode(new Reader(withCount(3, Buffer.alloc(12))), 0), [0, 0, 0]);
  });

  test('nested structs: a Fetch with more partitions than its bytes hold is refused', () => {
    // One topic "t" whose partition count claims 1,000 partitions of 16+ bytes each (v4) in 100 bytes.
    const topic = Buffer.concat([Buffer.from([0, 1]), Buffer.from('t'), withCount(1000, Buffer.alloc(100))]);
    const body = Buffer.concat([Buffer.alloc(4 + 4 + 4 + 4 + 1), withCount(1, topic)]);
    assert.throws(() => FetchRequest.decode(new Reader(body), 4), invalidRequest(/1000 elements of at least 16 bytes/));
  });

  test('a 10 MB Metadata request of 5 M empty names is refused at the count (the per-array cap)', () => {
    const count = 5_000_000;
    const body = Buffer.alloc(4 + count * 2);
    body.writeInt32BE(count, 0);
    assert.throws(() => MetadataRequest.decode(new Reader(body), 1), invalidRequest(new RegExp(`over the limit of ${MAX_ARRAY_ELEMENTS}`)));
  });

  test('the element budget bounds all arrays of a message together', () => {
    const two = struct({ a: array(int32), b: array(int32) });
    const buf = Buffer.concat([withCount(3, Buffer.alloc(12)), withCount(3, Buffer.alloc(12))]);
    const r = new Reader(buf);
    r.elementBudget = 5;
    assert.throws(() => two.decode(r, 0), invalidRequest(/over the 2 elements left/));
    assert.deepEqual(two.decode(new Reader(buf), 0), { a: [0, 0, 0], b: [0, 0, 0] });
  });

  test('a null or empty array still decodes', () => {
    assert.deepEqual(array(string).decode(new Reader(withCount(-1, Buffer.alloc(0))), 0), []);
    assert.deepEqual(array(string).decode(new Reader(withCount(0, Buffer.alloc(0))), 0), []);
  });

  test('a string that is not valid UTF-8 is refused, not turned into U+FFFD', () => {
    const bad = Buffer.concat([Buffer.from([0, 3]), Buffer.from([0x61, 0xff, 0x62])]);
    assert.throws(() => new Reader(bad).string(), invalidRequest(/not valid UTF-8/));
    const good = Buffer.concat([Buffer.from([0, 3]), Buffer.from('€')]);
    assert.equal(new Reader(good).string(), '€');
  });
});

describe('topic config ranges', () => {
  test('segment.bytes is accepted exactly when Log accepts it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-seg-'));
    try {
      for (const segmentBytes of [20, 60, 61, 1024, 2 ** 31 - 1, 2 ** 31, 3_000_000_000]) {
        let logOk = true;
        try {
          const log = await Log.open(join(dir, `p-${segmentBytes}`), { segmentBytes, indexIntervalBytes: 4096 });
          await log.close();
        } catch {
          logOk = false;
        }
        let configOk = true;
        try { parseTopicConfig({ 'segment.bytes': String(segmentBytes) }); } catch { configOk = false; }
        assert.equal(configOk, logOk, `segment.bytes=${segmentBytes}: config ${configOk}, Log ${logOk}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('max.message.bytes must fit in socket.request.max.bytes where the broker says so', () => {
    assert.throws(() => parseTopicConfig({ 'max.message.bytes': '2000000' }, { socketRequestMaxBytes: 1_000_000 }), /socket\.request\.max\.bytes/);
    assert.deepEqual(parseTopicConfig({ 'max.message.bytes': '2000000' }), { 'max.message.bytes': 2_000_000 });
  });

  test('stored overrides: a bad value is reported and left out, the good ones kept', () => {
    const problems: string[] = [];
    const out = parseStoredTopicConfig({ 'segment.bytes': '20', 'retention.ms': '1000' }, (key, problem) => problems.push(`${key}: ${problem}`));
    assert.deepEqual(out, { 'retention.ms': 1000 });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^segment\.bytes: .*>= 61/);
  });
});
