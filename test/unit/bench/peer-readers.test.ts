// The peer clients of bench/compare.sh parse bytes as they stream in: fixed NATS and RESP byte streams
// fed whole, and split at every byte position, must yield the same record values and the same follow-up
// requests (the next pull / XREAD with the last id). No server: parse() is driven directly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asciiInt } from '../../../src/bench/peers/ascii-int.js';
import { NatsJetStreamPublisher } from '../../../src/bench/peers/nats-jetstream.js';
import { NatsJetStreamReader } from '../../../src/bench/peers/nats-jetstream-reader.js';
import { RedisStreamsReader } from '../../../src/bench/peers/redis-streams-reader.js';

interface Driven { values: string[]; writes: string[]; feed(chunk: Buffer): void; start(mode: 'all' | 'new', count: number): Promise<void> }

/** Exposes a reader's parse/start with its writes captured instead of sent. */
function drive(reader: NatsJetStreamReader | RedisStreamsReader): Driven {
  const d = { values: [] as string[], writes: [] as string[] } as Driven;
  const r = reader as unknown as {
    socket: { write(s: string): boolean };
    parse(c: Buffer): void;
    start(m: 'all' | 'new', n: number): Promise<void>;
    follow(cb: (b: Buffer, s: number, e: number) => void): Promise<void>;
    onValue: ((b: Buffer, s: number, e: number) => void) | null;
  };
  r.socket = { write: (s: string) => { d.writes.push(s); return true; } };
  r.onValue = (b, s, e) => { d.values.push(b.toString('latin1', s, e)); };
  d.feed = (c) => r.parse(c);
  d.start = (m, n) => r.start(m, n);
  return d;
}

function xreadReply(key: string, entries: Array<[string, string]>): string {
  let out = `*1\r\n*2\r\n$${key.length}\r\n${key}\r\n*${entries.length}\r\n`;
  for (const [id, v] of entries) out += `*2\r\n$${id.length}\r\n${id}\r\n*2\r\n$1\r\nv\r\n$${v.length}\r\n${v}\r\n`;
  return out;
}

for (const split of ['whole', 'every byte']) {
  test(`redis XREAD replies (${split}): values in order, next XREAD from the last id, stops at the count`, async () => {
    const d = drive(new RedisStreamsReader('127.0.0.1', 1, 'cmp'));
    await d.start('all', 3);
    assert.match(d.writes[0], /XREAD\r\n\$5\r\nCOUNT\r\n\$5\r\n10000\r\n\$7\r\nSTREAMS\r\n\$3\r\ncmp\r\n\$3\r\n0-0\r\n$/);
    const bytes = Buffer.from(xreadReply('cmp', [['1-0', 'a\r\nb'], ['1-1', '']]) + xreadReply('cmp', [['2-0', 'zz']]), 'latin1');
    if (split === 'whole') d.feed(bytes);
    else for (let i = 0; i < bytes.length; i++) d.feed(bytes.subarray(i, i + 1));
    assert.deepEqual(d.values, ['a\r\nb', '', 'zz']);
    assert.equal(d.writes.length, 2, 'one follow-up XREAD, none after the count is reached');
    assert.match(d.writes[1], /\$3\r\n1-1\r\n$/);
  });

  test(`nats deliveries (${split}): stream messages delivered, status HMSG and control replies not`, async () => {
    const d = drive(new NatsJetStreamReader('127.0.0.1', 1, 'cmp'));
    const status = 'NATS/1.0 408 Request Timeout\r\n\r\n'; // headers only, no payload
    const bytes = Buffer.from('INFO {"x":1}\r\nPING\r\n'
      + 'MSG cmp.data 2 $JS.ACK.cmp.reader.1.1.1.0.0 5\r\nhe\r\nl\r\n'
      + `HMSG _INBOX.rd.pull 2 ${status.length} ${status.length}\r\n${status}\r\n`
      + 'MSG cmp.data 2 $JS.ACK.cmp.reader.1.2.2.0.0 0\r\n\r\n'
      + 'MSG other.subject 9 3\r\nabc\r\n', 'latin1');
    if (split === 'whole') d.feed(bytes);
    else for (let i = 0; i < bytes.length; i++) d.feed(bytes.subarray(i, i + 1));
    assert.deepEqual(d.values, ['he\r\nl', '']);
    assert.deepEqual(d.writes, ['PONG\r\n']);
  });
}

test('redis: an error reply fails the read', async () => {
  const d = drive(new RedisStreamsReader('127.0.0.1', 1, 'cmp'));
  await d.start('all', 1);
  assert.throws(() => d.feed(Buffer.from('-WRONGTYPE Operation against a key\r\n')), /redis: WRONGTYPE/);
});

test('asciiInt: lengths as the peers write them, NaN for anything else', () => {
  const at = (s: string): number => asciiInt(Buffer.from(`x${s}y`), 1, 1 + s.length);
  assert.equal(at('0'), 0);
  assert.equal(at('10000'), 10000);
  assert.equal(at('-1'), -1);
  assert.ok(Number.isNaN(at('')));
  assert.ok(Number.isNaN(at('-')));
  assert.ok(Number.isNaN(at('12a')));
});

test('nats publish acks (whole and split at every byte): counted, the stream-create reply is not, an error ack throws', () => {
  const p = new NatsJetStreamPublisher('127.0.0.1', 1, 'cmp', Buffer.alloc(8)) as unknown as { parse(c: Buffer): number; socket: { write(s: string): boolean } };
  p.socket = { write: () => true };
  const acks = 'MSG _INBOX.bench.a 1 24\r\n{"stream":"cmp","seq":1}\r\nPING\r\nMSG _INBOX.bench.a 1 24\r\n{"stream":"cmp","seq":2}\r\n';
  assert.equal(p.parse(Buffer.from(acks)), 2);
  const bytes = Buffer.from(acks);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) n += p.parse(bytes.subarray(i, i + 1));
  assert.equal(n, 2);
  const error = '{"error":{"code":503}}';
  assert.throws(() => p.parse(Buffer.from(`MSG _INBOX.bench.a 1 ${error.length}\r\n${error}\r\n`)), /nats: \{"error"/);
});
