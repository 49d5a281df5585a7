// NATS JetStream for `bench/compare.sh`: publishes with a reply subject, so each message is
// acknowledged by the stream once stored (JetStream's publish ack), over the NATS text protocol.
//
//   server:   INFO {...}\r\n                     client: CONNECT {...}\r\n PING\r\n  ->  server: PONG\r\n
//   stream:   PUB $JS.API.STREAM.CREATE.<name> <inbox> <n>\r\n{"name":..,"subjects":[..],"storage":"file"}\r\n
//   publish:  PUB <subject> <inbox>.<i> <size>\r\n<payload>\r\n
//   ack:      MSG <inbox>.<i> <sid> <n>\r\n{"stream":"<name>","seq":<seq>}\r\n   (an error has "error")
import { PipelinedPublisher } from './pipelined-publisher.js';

export class NatsJetStreamPublisher extends PipelinedPublisher {
  private readonly head: Buffer;
  private pending = '';
  private handshakeDone: ((err?: Error) => void) | null = null;

  constructor(host: string, port: number, private readonly stream: string, private readonly value: Buffer) {
    super(host, port);
    this.head = Buffer.from(`PUB ${stream}.data _INBOX.bench.a ${value.length}\r\n`);
  }

  protected async handshake(): Promise<void> {
    const created = new Promise<void>((resolve, reject) => { this.handshakeDone = (err) => (err ? reject(err) : resolve()); });
    const config = JSON.stringify({ name: this.stream, subjects: [`${this.stream}.data`], storage: 'file', retention: 'limits', discard: 'old', num_replicas: 1 });
    this.socket.write(`CONNECT {"verbose":false,"pedantic":false,"headers":false,"name":"mq-bench"}\r\nSUB _INBOX.bench.* 1\r\n`
      + `PUB $JS.API.STREAM.CREATE.${this.stream} _INBOX.bench.create ${Buffer.byteLength(config)}\r\n${config}\r\n`);
    await created;
  }

  protected requestBytes(): number { return this.head.length + this.value.length + 2; }

  protected encode(out: Buffer, at: number): number {
    at += this.head.copy(out, at);
    at += this.value.copy(out, at);
    out[at++] = 13;
    out[at++] = 10;
    return at;
  }

  protected parse(chunk: Buffer): number {
    let text = this.pending + chunk.toString('latin1');
    let n = 0;
    for (;;) {
      const eol = text.indexOf('\r\n');
      if (eol < 0) break;
      const line = text.slice(0, eol);
      if (line.startsWith('MSG ')) {
        const size = Number(line.slice(line.lastIndexOf(' ') + 1));
        if (text.length < eol + 2 + size + 2) break; // payload not complete yet
        const payload = text.slice(eol + 2, eol + 2 + size);
        text = text.slice(eol + 2 + size + 2);
        if (payload.includes('"error"')) {
          const err = new Error(`nats: ${payload}`);
          if (this.handshakeDone) { this.handshakeDone(err); this.handshakeDone = null; continue; }
          throw err;
        }
        if (line.startsWith('MSG _INBOX.bench.create ')) { this.handshakeDone?.(); this.handshakeDone = null; } else n++;
        continue;
      }
      text = text.slice(eol + 2);
      if (line.startsWith('PING')) this.socket.write('PONG\r\n');
      else if (line.startsWith('-ERR')) throw new Error(`nats: ${line}`);
    }
    this.pending = text;
    return n;
  }
}
