// NATS JetStream for `bench/compare.sh`: publishes with a reply subject, so each message is
// acknowledged by the stream once stored (JetStream's publish ack), over the NATS text protocol.
//
//   server:   INFO {...}\r\n                     client: CONNECT {...}\r\n PING\r\n  ->  server: PONG\r\n
//   stream:   PUB $JS.API.STREAM.CREATE.<name> <inbox> <n>\r\n{"name":..,"subjects":[..],"storage":"file"}\r\n
//   publish:  PUB <subject> <inbox>.<i> <size>\r\n<payload>\r\n
//   ack:      MSG <inbox>.<i> <sid> <n>\r\n{"stream":"<name>","seq":<seq>}\r\n   (an error has "error")
import { asciiInt } from './ascii-int.js';
import { PipelinedPublisher } from './pipelined-publisher.js';

const ERROR_MARK = Buffer.from('"error"');
const CREATE_PREFIX = Buffer.from('MSG _INBOX.bench.create ');

export class NatsJetStreamPublisher extends PipelinedPublisher {
  private pending: Buffer | null = null;
  private handshakeDone: ((err?: Error) => void) | null = null;

  constructor(host: string, port: number, private readonly stream: string, value: Buffer) {
    super(host, port, Buffer.from(`PUB ${stream}.data _INBOX.bench.a ${value.length}\r\n`), value);
  }

  protected async handshake(): Promise<void> {
    const created = new Promise<void>((resolve, reject) => { this.handshakeDone = (err) => (err ? reject(err) : resolve()); });
    const config = JSON.stringify({ name: this.stream, subjects: [`${this.stream}.data`], storage: 'file', retention: 'limits', discard: 'old', num_replicas: 1 });
    this.socket.write(`CONNECT {"verbose":false,"pedantic":false,"headers":false,"name":"mq-bench"}\r\nSUB _INBOX.bench.* 1\r\n`
      + `PUB $JS.API.STREAM.CREATE.${this.stream} _INBOX.bench.create ${Buffer.byteLength(config)}\r\n${config}\r\n`);
    await created;
  }

  protected parse(chunk: Buffer): number {
    // Parsed as bytes (a million acks per run): the size is the MSG line's last field, and a payload
    // is an error when it holds "error".
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    let n = 0;
    let errorAt = buf.indexOf(ERROR_MARK); // searched once per chunk, not once per ack
    for (;;) {
      const eol = buf.indexOf('\r\n', at);
      if (eol < 0) break;
      if (buf[at] === 0x4d /* M */) {
        const size = asciiInt(buf, buf.lastIndexOf(0x20, eol) + 1, eol);
        const start = eol + 2;
        if (buf.length < start + size + 2) break; // payload not complete yet
        if (errorAt >= 0 && errorAt < start) errorAt = buf.indexOf(ERROR_MARK, start);
        const isCreate = buf.compare(CREATE_PREFIX, 0, CREATE_PREFIX.length, at, at + CREATE_PREFIX.length) === 0;
        at = start + size + 2;
        if (errorAt >= 0 && errorAt < start + size) {
          const err = new Error(`nats: ${buf.toString('utf8', start, start + size)}`);
          if (this.handshakeDone) { this.handshakeDone(err); this.handshakeDone = null; continue; }
          throw err;
        }
        if (isCreate) { this.handshakeDone?.(); this.handshakeDone = null; } else n++;
        continue;
      }
      const line = buf.toString('latin1', at, eol);
      at = eol + 2;
      if (line.startsWith('PING')) this.socket.write('PONG\r\n');
      else if (line.startsWith('-ERR')) throw new Error(`nats: ${line}`);
    }
    this.pending = at >= buf.length ? null : buf.subarray(at);
    return n;
  }
}
