// A bare Kafka-wire client for tests that need exact bytes: one request at a time over a raw socket,
// encoded with mq's own schemas. No import-time side effects.
import net from 'node:net';
import { ApiKey, apiSpec, isFlexible } from '../../src/protocol/api.js';
import { skipTaggedFields } from '../../src/protocol/flexible.js';
import { encodeRequestHeader } from '../../src/protocol/header.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

export class WireSocket {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  closed = false;
  private correlationId = 1;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.waiting?.(); });
    socket.on('close', () => { this.closed = true; this.waiting?.(); });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<WireSocket> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new WireSocket(s)));
      s.once('error', reject);
    });
  }

  /** One request on a connection of its own (opened, answered, closed). */
  static async call<T = any>(port: number, apiKey: number, version: number, body: unknown, host = '127.0.0.1'): Promise<T> {
    const s = await WireSocket.connect(port, host);
    try {
      return await s.request<T>(apiKey, version, body, 20_000);
    } finally {
      s.close();
    }
  }

  /** Writes raw bytes as they are. */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Encodes and sends a request; returns its correlation id. */
  send(apiKey: number, version: number, body: unknown): number {
    const spec = apiSpec(apiKey)!;
    const w = new Writer();
    const correlationId = this.correlationId++;
    encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: 'mq-test' }, isFlexible(spec, version));
    spec.request.encode(w, body, version);
    const payload = w.toBuffer();
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    this.write(Buffer.concat([size, payload]));
    return correlationId;
  }

  /** Sends a request and decodes its response. */
  async request<T = any>(apiKey: number, version: number, body: unknown, timeoutMs = 10000): Promise<T> {
    const id = this.send(apiKey, version, body);
    const frame = await this.nextFrame(timeoutMs);
    const r = new Reader(frame);
    const got = r.int32();
    if (got !== id) throw new Error(`correlation id ${got}, expected ${id}`);
    const spec = apiSpec(apiKey)!;
    if (isFlexible(spec, version) && apiKey !== ApiKey.ApiVersions) skipTaggedFields(r); // response header v1
    return spec.response.decode(r, version) as T;
  }

  /** The next response payload (after the size), or throws when the socket closes first. */
  async nextFrame(timeoutMs = 10000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length >= 4) {
        const n = this.buf.readInt32BE(0);
        if (this.buf.length >= 4 + n) {
          const frame = this.buf.subarray(4, 4 + n);
          this.buf = this.buf.subarray(4 + n);
          return frame;
        }
      }
      if (this.closed) throw new Error('connection closed by the broker');
      await this.wait(deadline - Date.now());
      if (Date.now() > deadline) throw new Error('no response in time');
    }
  }

  /** Resolves true when the broker closes the connection within `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await this.wait(deadline - Date.now());
    return this.closed;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiting = null; resolve(); }, Math.max(1, ms));
      this.waiting = () => { clearTimeout(timer); this.waiting = null; resolve(); };
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** CreateTopics v2 for one topic on a fresh connection; resolves to its result (error code and message). */
export async function createTopicOnWire(port: number, name: string, opts: { numPartitions?: number; configs?: { name: string; value: string }[] } = {}): Promise<{ errorCode: number; errorMessage: string | null }> {
  const s = await WireSocket.connect(port);
  try {
    const res = await s.request(ApiKey.CreateTopics, 2, {
      topics: [{ name, numPartitions: opts.numPartitions ?? 1, replicationFactor: 1, assignments: [], configs: opts.configs ?? [] }],
      timeoutMs: 10_000, validateOnly: false,
    }, 60_000);
    return res.topics[0];
  } finally {
    s.close();
  }
}

/** Produce v7 of one batch to partition 0 of `topic` with acks=-1; the partition's error code. */
export async function produceOnWire(ws: WireSocket, topic: string, records: Buffer): Promise<number> {
  const res = await ws.request(ApiKey.Produce, 7, {
    transactionalId: null, acks: -1, timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0].partitionResponses[0].errorCode;
}
