// Reads a NATS JetStream stream for `bench/compare.sh`, over the NATS text protocol.
//
//   consume (readAll): a durable pull consumer from the stream's start, no acks, two pull requests
//     of PULL_BATCH messages outstanding (a new one as each batch completes):
//       PUB $JS.API.CONSUMER.DURABLE.CREATE.<stream>.<name> _INBOX.rd.ctl <n>\r\n{"stream_name":..,"config":{..}}\r\n
//       PUB $JS.API.CONSUMER.MSG.NEXT.<stream>.<name> _INBOX.rd.pull <n>\r\n{"batch":N,"expires":ns}\r\n
//   follow: an ephemeral push consumer delivering every message to _INBOX.rd.live, no acks:
//       PUB $JS.API.CONSUMER.CREATE.<stream> _INBOX.rd.ctl <n>\r\n{"stream_name":..,"config":{"deliver_subject":..}}\r\n
//   deliveries: MSG <subject> <sid> <reply> <size>\r\n<payload>\r\n (messages of the stream's subject);
//     HMSG <subject> <sid> [reply] <hdr size> <total size>\r\n<headers+payload>\r\n are status
//     messages (408 request expired, 404 no messages) on the inbox and are skipped.
import { asciiInt } from './ascii-int.js';
import { PeerReader } from './peer-reader.js';

const PULL_BATCH = 10_000;
const PULL_EXPIRES_NS = 30_000_000_000;

export class NatsJetStreamReader extends PeerReader {
  private pending: Buffer | null = null;
  private control: { resolve: (payload: string) => void; reject: (err: Error) => void } | null = null;
  /** "MSG <stream subject> ": how a record's delivery line starts. */
  private readonly msgPrefix: Buffer;
  private pullsLeft = 0;

  constructor(host: string, port: number, private readonly stream: string) {
    super(host, port);
    this.msgPrefix = Buffer.from(`MSG ${stream}.data `);
  }

  protected async handshake(): Promise<void> {
    this.socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"name":"mq-bench-reader"}\r\n'
      + 'SUB _INBOX.rd.ctl 1\r\nSUB _INBOX.rd.pull 2\r\nSUB _INBOX.rd.live 3\r\n');
  }

  /** Sends a JetStream API request and waits for its JSON reply (an "error" member fails). */
  private async api(subject: string, body: object): Promise<string> {
    const json = JSON.stringify(body);
    const reply = new Promise<string>((resolve, reject) => { this.control = { resolve, reject }; });
    this.socket.write(`PUB ${subject} _INBOX.rd.ctl ${Buffer.byteLength(json)}\r\n${json}\r\n`);
    const timer = setTimeout(() => this.control?.reject(new Error(`nats: no reply to ${subject} in 10 s`)), 10_000);
    try {
      const payload = await reply;
      if (payload.includes('"error"')) throw new Error(`nats: ${subject}: ${payload}`);
      return payload;
    } finally {
      clearTimeout(timer);
      this.control = null;
    }
  }

  private pull(): void {
    if (this.pullsLeft <= 0) return;
    this.pullsLeft--;
    const json = JSON.stringify({ batch: PULL_BATCH, expires: PULL_EXPIRES_NS });
    this.socket.write(`PUB $JS.API.CONSUMER.MSG.NEXT.${this.stream}.reader _INBOX.rd.pull ${json.length}\r\n${json}\r\n`);
  }

  protected async start(mode: 'all' | 'new', count: number): Promise<void> {
    if (mode === 'all') {
      await this.api(`$JS.API.CONSUMER.DURABLE.CREATE.${this.stream}.reader`, {
        stream_name: this.stream,
        config: { durable_name: 'reader', deliver_policy: 'all', ack_policy: 'none', max_waiting: 8 },
      });
      this.pullsLeft = Math.ceil(count / PULL_BATCH) + 1;
      this.pull();
      this.pull();
    } else {
      await this.api(`$JS.API.CONSUMER.CREATE.${this.stream}`, {
        stream_name: this.stream,
        config: { deliver_subject: '_INBOX.rd.live', deliver_policy: 'new', ack_policy: 'none' },
      });
    }
  }

  protected parse(chunk: Buffer): void {
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    for (;;) {
      const eol = buf.indexOf('\r\n', at);
      if (eol < 0) break;
      const first = buf[at];
      if (first === 0x4d /* M */ || first === 0x48 /* H */) {
        const lastSpace = buf.lastIndexOf(0x20, eol);
        const size = asciiInt(buf, lastSpace + 1, eol);
        const start = eol + 2;
        if (buf.length < start + size + 2) break; // payload not complete yet
        if (first === 0x4d && buf.compare(this.msgPrefix, 0, this.msgPrefix.length, at, at + this.msgPrefix.length) === 0) {
          // "MSG <stream subject> ...": a record (compared as bytes: millions per run)
          this.deliver(buf, start, start + size);
          if (this.received % PULL_BATCH === 0) this.pull();
        } else {
          const parts = buf.toString('latin1', at, eol).split(' ');
          if (parts[1] === '_INBOX.rd.ctl' && this.control) {
            const hdr = first === 0x48 ? Number(parts[parts.length - 2]) : 0;
            this.control.resolve(buf.toString('utf8', start + hdr, start + size));
          }
        }
        at = start + size + 2;
        continue;
      }
      const line = buf.toString('latin1', at, eol);
      at = eol + 2;
      if (line.startsWith('PING')) this.socket.write('PONG\r\n');
      else if (line.startsWith('-ERR')) throw new Error(`nats: ${line}`);
    }
    this.pending = at >= buf.length ? null : buf.subarray(at);
  }
}
