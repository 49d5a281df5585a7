// Reads a Redis stream for `bench/compare.sh` with XREAD over RESP, one request outstanding (the next
// one starts after the last id of the previous reply).
//
//   consume (readAll): XREAD COUNT <READ_BATCH> STREAMS <key> <last id>, from 0-0, until `count` read;
//   follow:            XREAD BLOCK <ms> COUNT <FOLLOW_BATCH> STREAMS <key> <last id>, again and again.
//   reply:  *1 [ *2 [ $key, *N [ *2 [ $id, *2 [ $v, $value ] ] ... ] ] ]   or *-1 (nothing new)
// Replies are tokenised as they stream in (array headers and bulk strings, tracking the nesting), so a
// reply of thousands of entries is never re-parsed; entry ids are bulks at depth 4, values the last
// bulk at depth 5.
import { asciiInt } from './ascii-int.js';
import { PeerReader } from './peer-reader.js';

const READ_BATCH = 10_000;
const FOLLOW_BATCH = 1_000;
const FOLLOW_BLOCK_MS = 500;

export class RedisStreamsReader extends PeerReader {
  private pending: Buffer | null = null;
  /** Elements still expected by each open array, outermost first. */
  private readonly open: number[] = [];
  private lastId = '0-0';
  private mode: 'all' | 'new' = 'all';
  private target = 0;
  private entriesInReply = 0;

  constructor(host: string, port: number, private readonly key: string) {
    super(host, port);
  }

  protected async handshake(): Promise<void> {}

  private request(): void {
    const args = this.mode === 'all'
      ? ['XREAD', 'COUNT', String(READ_BATCH), 'STREAMS', this.key, this.lastId]
      : ['XREAD', 'BLOCK', String(FOLLOW_BLOCK_MS), 'COUNT', String(FOLLOW_BATCH), 'STREAMS', this.key, this.lastId];
    this.socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  }

  protected async start(mode: 'all' | 'new', count: number): Promise<void> {
    this.mode = mode;
    this.target = count;
    this.lastId = '0-0';
    this.entriesInReply = 0;
    this.request();
  }

  /** One value (array or bulk) is complete: close every array it completes; true when the reply is. */
  private completed(): boolean {
    for (;;) {
      if (this.open.length === 0) return true;
      const top = this.open.length - 1;
      if (--this.open[top] > 0) return false;
      this.open.pop();
    }
  }

  private replyDone(): void {
    const got = this.entriesInReply;
    this.entriesInReply = 0;
    if (this.mode === 'new') { this.request(); return; }
    if (this.received >= this.target) return;
    if (got === 0) { this.fail(new Error(`redis: stream ${this.key} ended after ${this.received} of ${this.target} entries`)); return; }
    this.request();
  }

  protected parse(chunk: Buffer): void {
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    for (;;) {
      const eol = buf.indexOf('\r\n', at);
      if (eol < 0) break;
      const kind = buf[at];
      if (kind === 0x2a /* * */) {
        const n = asciiInt(buf, at + 1, eol);
        at = eol + 2;
        if (n > 0) this.open.push(n);
        else if (this.completed()) this.replyDone();
        continue;
      }
      if (kind === 0x24 /* $ */) {
        const size = asciiInt(buf, at + 1, eol);
        const start = eol + 2;
        if (size >= 0 && buf.length < start + size + 2) break; // bulk not complete yet
        const depth = this.open.length;
        if (depth === 4) {
          this.lastId = buf.toString('latin1', start, start + size);
          this.entriesInReply++;
        } else if (depth === 5 && this.open[4] === 1) {
          this.deliver(buf, start, start + size);
        }
        at = size >= 0 ? start + size + 2 : start;
        if (this.completed()) this.replyDone();
        continue;
      }
      if (kind === 0x2d /* - */) throw new Error(`redis: ${buf.toString('latin1', at + 1, eol)}`);
      at = eol + 2; // +OK, :n: not expected here
      if (this.completed()) this.replyDone();
    }
    this.pending = at >= buf.length ? null : buf.subarray(at);
  }
}
