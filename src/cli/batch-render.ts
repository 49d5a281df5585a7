// `mq consume` output rendered one fetched partition answer at a time into one Buffer (one stdout write
// per answer), byte for byte what compileFormat / recordJson give record by record.
//
// -f formats are rendered straight from the RecordBatch bytes: walkFetchedRecords moves a cursor over
// the records and the format's parts are copied in (keys, values and header bytes as they are, numbers
// as ASCII digits), with no JS object or string per record. The general path prints keys and values
// through Buffer.toString('utf8'), which turns bytes that are not UTF-8 into U+FFFD; so the copied
// output is checked: when it is not valid UTF-8 as a whole, or a copied piece starts with a UTF-8
// continuation byte (it could join the piece before it into one valid character), the answer is
// rendered again through the general path. --json always takes the general path (a record object and
// a string per record) but is still written once per answer. Both paths drop the records of aborted
// transactions the fetcher passes on (read_committed).
import { isUtf8 } from 'node:buffer';
import type { ConsumedRecord, PartitionDecoder } from '../client/types.js';
import { decodeFetchedRecords, readVarint, walkFetchedRecords, type AbortedTransaction, type RecordCursor } from '../protocol/fetched-records.js';
import { Reader } from '../protocol/reader.js';
import { compileFormat, parseFormat } from './format.js';
import { recordJson } from './record-json.js';

/** How many more records may be rendered (`mq consume -c`); each decoder call takes what it renders. */
export interface RenderBudget {
  left: number;
}

/**
 * Output buffers lent to the renderer and given back once stdout has written them (the write's
 * callback), so a steady consume reuses two or three buffers instead of allocating one per answer.
 */
export class OutputBuffers {
  private readonly free: Buffer[] = [];
  private readonly lent = new Map<ArrayBufferLike, Buffer>();

  /** A buffer of at least `min` bytes, lent until give(). */
  take(min: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= min);
    const buf = i >= 0 ? this.free.splice(i, 1)[0] : Buffer.allocUnsafeSlow(min);
    this.lent.set(buf.buffer, buf);
    return buf;
  }

  /** Gives back the buffer `chunk` is a part of (chunks not taken from here are ignored). */
  give(chunk: Buffer): void {
    const buf = this.lent.get(chunk.buffer);
    if (buf === undefined) return;
    this.lent.delete(chunk.buffer);
    if (this.free.length < 2) this.free.push(buf);
  }
}

/**
 * Renders a fetched partition's records as `-f fmt` (or --json when fmt is null) into one Buffer,
 * taken from `buffers` (give it back once written).
 */
export function batchRenderer(fmt: string | null, budget: RenderBudget, buffers = new OutputBuffers()): PartitionDecoder<Buffer> {
  const renderOne = fmt === null ? recordJson : compileFormat(fmt);
  const slow: PartitionDecoder<Buffer> = (data, topic, partition, fetchOffset, aborted) => {
    const records: ConsumedRecord[] = [];
    const res = decodeFetchedRecords(data, topic, partition, fetchOffset, records, { partial: true, aborted });
    let nextOffset = res.nextOffset;
    if (records.length > budget.left) {
      records.length = budget.left;
      nextOffset = records[records.length - 1].offset + 1;
    }
    budget.left -= records.length;
    let text = '';
    for (const r of records) text += renderOne(r);
    return { value: Buffer.from(text, 'utf8'), count: records.length, nextOffset, batches: res.batches };
  };
  if (fmt === null) return slow;
  const fast = new FastRenderer(compileOps(fmt), buffers);
  return (data, topic, partition, fetchOffset, aborted) => {
    if (budget.left <= 0) return { value: Buffer.alloc(0), count: 0, nextOffset: fetchOffset, batches: 0 };
    const res = fast.render(data, topic, partition, fetchOffset, budget.left, aborted);
    if (res === null) return slow(data, topic, partition, fetchOffset, aborted);
    budget.left -= res.count;
    return res;
  };
}

const enum Op { Literal, Key, Value, Topic, Partition, Offset, Timestamp, Headers, ValueSize, KeySize }

interface Ops {
  ops: Op[];
  /** Literal bytes, by the index of their Literal op. */
  literals: (Buffer | null)[];
  /** Bytes a record takes besides its keys, values and headers (numbers at their longest). */
  fixedBytes: number;
  keys: number;
  values: number;
  headers: number;
  topics: number;
}

/** Longest text of a number: String() of a double such as -1.2345678901234567e+308. */
const NUMBER_BYTES = 24;

function compileOps(fmt: string): Ops {
  const o: Ops = { ops: [], literals: [], fixedBytes: 0, keys: 0, values: 0, headers: 0, topics: 0 };
  for (const p of parseFormat(fmt)) {
    if ('literal' in p) {
      const bytes = Buffer.from(p.literal, 'utf8');
      o.ops.push(Op.Literal);
      o.literals.push(bytes);
      o.fixedBytes += bytes.length;
      continue;
    }
    o.literals.push(null);
    switch (p.token) {
      case 'k': o.ops.push(Op.Key); o.keys++; break;
      case 'v': case 's': o.ops.push(Op.Value); o.values++; break;
      case 't': o.ops.push(Op.Topic); o.topics++; break;
      case 'h': o.ops.push(Op.Headers); o.headers++; break;
      case 'p': o.ops.push(Op.Partition); o.fixedBytes += NUMBER_BYTES; break;
      case 'o': o.ops.push(Op.Offset); o.fixedBytes += NUMBER_BYTES; break;
      case 'T': o.ops.push(Op.Timestamp); o.fixedBytes += NUMBER_BYTES; break;
      case 'S': o.ops.push(Op.ValueSize); o.fixedBytes += NUMBER_BYTES; break;
      case 'K': o.ops.push(Op.KeySize); o.fixedBytes += NUMBER_BYTES; break;
    }
  }
  return o;
}

/** Copies below this many bytes are a JS loop (cheaper than Buffer.copy's call for short values). */
const SHORT_COPY = 40;
const MIN_OUTPUT_BYTES = 64 * 1024;
const EMPTY: Buffer = Buffer.alloc(0);

/** The -f renderer straight from the batch bytes; state lives on the object so visit() allocates nothing. */
class FastRenderer {
  private out: Buffer = EMPTY;
  private pos = 0;
  /** A copied piece began with a continuation byte: the whole answer goes the general way. */
  private suspect = false;
  private left = 0;
  private topic = Buffer.alloc(0);
  private partition = 0;
  private readonly visit = (c: RecordCursor): boolean => this.record(c);

  constructor(private readonly o: Ops, private readonly buffers: OutputBuffers) {}

  /** The answer rendered, or null when the general path must render it (not valid UTF-8). */
  render(
    data: Buffer, topic: string, partition: number, fetchOffset: number, limit: number, aborted?: readonly AbortedTransaction[] | null,
  ): { value: Buffer; count: number; nextOffset: number; batches: number } | null {
    this.out = this.buffers.take(Math.max(MIN_OUTPUT_BYTES, data.length + (data.length >>> 2)));
    this.pos = 0;
    let value: Buffer | null = null;
    this.suspect = false;
    this.left = limit;
    this.topic = Buffer.from(topic, 'utf8');
    this.partition = partition;
    try {
      const res = walkFetchedRecords(data, topic, partition, fetchOffset, this.visit, { partial: true, aborted });
      const bytes = this.out.subarray(0, this.pos);
      if (this.suspect || !isUtf8(bytes)) return null;
      value = bytes;
      return { value, count: res.count, nextOffset: res.nextOffset, batches: res.batches };
    } finally {
      if (value === null) this.buffers.give(this.out); // not handed out: free again at once
      this.out = EMPTY;
    }
  }

  private record(c: RecordCursor): boolean {
    const o = this.o;
    let need = o.fixedBytes + o.topics * this.topic.length;
    if (o.keys !== 0 && c.keyLength > 0) need += o.keys * c.keyLength;
    if (o.values !== 0 && c.valueLength > 0) need += o.values * c.valueLength;
    if (o.headers !== 0) need += o.headers * (c.headersEnd - c.headersStart);
    if (this.pos + need > this.out.length) this.grow(this.pos + need);
    const ops = o.ops;
    for (let i = 0; i < ops.length; i++) {
      switch (ops[i]) {
        case Op.Literal: this.copy(o.literals[i]!, 0, o.literals[i]!.length); break;
        case Op.Value: if (c.valueLength > 0) this.piece(c.buf, c.valueStart, c.valueLength); break;
        case Op.Key: if (c.keyLength > 0) this.piece(c.buf, c.keyStart, c.keyLength); break;
        case Op.Topic: this.copy(this.topic, 0, this.topic.length); break;
        case Op.Partition: this.number(this.partition); break;
        case Op.Offset: this.number(c.offset); break;
        case Op.Timestamp: this.number(c.timestamp); break;
        case Op.ValueSize: this.number(c.valueLength); break;
        case Op.KeySize: this.number(c.keyLength); break;
        case Op.Headers: this.headers(c); break;
      }
    }
    return --this.left > 0;
  }

  /** k=v,k2=v2 (a null value prints nothing), as format.ts's %h. */
  private headers(c: RecordCursor): void {
    if (c.headerCount === 0) return;
    const r = new Reader(c.buf, c.headersStart, c.headersEnd);
    for (let h = 0; h < c.headerCount; h++) {
      if (h > 0) this.out[this.pos++] = 0x2c; // ,
      const keyBytes = readVarint(r);
      if (keyBytes > 0) this.piece(c.buf, r.skip(keyBytes), keyBytes);
      this.out[this.pos++] = 0x3d; // =
      const n = readVarint(r);
      if (n > 0) this.piece(c.buf, r.skip(n), n);
    }
  }

  /** Copies record bytes, noting a leading continuation byte (see the file header). */
  private piece(src: Buffer, start: number, n: number): void {
    if ((src[start] & 0xc0) === 0x80) this.suspect = true;
    this.copy(src, start, n);
  }

  private copy(src: Buffer, start: number, n: number): void {
    const out = this.out;
    let p = this.pos;
    if (n < SHORT_COPY) {
      for (let i = 0; i < n; i++) out[p++] = src[start + i];
    } else {
      p += src.copy(out, p, start, start + n);
    }
    this.pos = p;
  }

  /** String(n) as ASCII. */
  private number(n: number): void {
    const out = this.out;
    if (n >= 0 && n < 1e15 && Number.isInteger(n)) {
      let digits = 1;
      for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
      let p = this.pos + digits;
      this.pos = p;
      do { out[--p] = 48 + (n % 10); n = Math.floor(n / 10); } while (n > 0);
      return;
    }
    this.pos += out.write(String(n), this.pos, 'latin1');
  }

  private grow(min: number): void {
    const bigger = this.buffers.take(Math.max(min, this.out.length * 2));
    this.out.copy(bigger, 0, 0, this.pos);
    this.buffers.give(this.out);
    this.out = bigger;
  }
}
