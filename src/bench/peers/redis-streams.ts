// Redis Streams for `bench/compare.sh`: XADD over RESP, pipelined.
//
//   request:  *5\r\n $4\r\nXADD\r\n $<n>\r\n<stream>\r\n $1\r\n*\r\n $1\r\nv\r\n $<size>\r\n<value>\r\n
//   reply:    $<n>\r\n<id>\r\n   (a bulk string: the entry id); -ERR ...\r\n on error
import { PipelinedPublisher } from './pipelined-publisher.js';

export class RedisStreamsPublisher extends PipelinedPublisher {
  private pending = '';

  constructor(host: string, port: number, stream: string, value: Buffer) {
    super(host, port, Buffer.from(`*5\r\n$4\r\nXADD\r\n$${Buffer.byteLength(stream)}\r\n${stream}\r\n$1\r\n*\r\n$1\r\nv\r\n$${value.length}\r\n`), value);
  }

  protected async handshake(): Promise<void> {}

  protected parse(chunk: Buffer): number {
    // Replies are "$<len>\r\n<id>\r\n": two CRLFs each. Errors start with '-'.
    const text = this.pending + chunk.toString('latin1');
    if (text.includes('-ERR') || text.includes('-WRONGTYPE')) throw new Error(`redis: ${text.slice(text.indexOf('-'), text.indexOf('\r\n', text.indexOf('-')))}`);
    let n = 0;
    let at = 0;
    for (;;) {
      const first = text.indexOf('\r\n', at);
      if (first < 0) break;
      const second = text.indexOf('\r\n', first + 2);
      if (second < 0) break;
      n++;
      at = second + 2;
    }
    this.pending = text.slice(at);
    return n;
  }
}
