// Big-endian writer for the classic Kafka encoding. Small fields go into a growing buffer; large
// byte blobs (record batches) are kept by reference as separate chunks so they are never copied.
// `toChunks()` hands the pieces to socket.writev / cork.

const LARGE_BLOB_BYTES = 4096;

export class Writer {
  private buf: Buffer;
  private pos = 0;
  private readonly chunks: Buffer[] = [];
  private flushedBytes = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; return this; }
  int16(v: number): this { this.ensure(2); this.buf.writeInt16BE(v, this.pos); this.pos += 2; return this; }
  int32(v: number): this { this.ensure(4); this.buf.writeInt32BE(v, this.pos); this.pos += 4; return this; }
  uint32(v: number): this { this.ensure(4); this.buf.writeUInt32BE(v, this.pos); this.pos += 4; return this; }
  int64(v: bigint): this { this.ensure(8); this.buf.writeBigInt64BE(v, this.pos); this.pos += 8; return this; }
  float64(v: number): this { this.ensure(8); this.buf.writeDoubleBE(v, this.pos); this.pos += 8; return this; }
  boolean(v: boolean): this { return this.int8(v ? 1 : 0); }

  /** Unsigned LEB128 (no zigzag). */
  uvarint(v: number): this {
    this.ensure(5);
    let n = v >>> 0;
    while (n >= 0x80) { this.buf[this.pos++] = (n & 0x7f) | 0x80; n >>>= 7; }
    this.buf[this.pos++] = n;
    return this;
  }

  /** ZigZag VARINT (32-bit). */
  varint(v: number): this { return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0); }

  /** ZigZag VARLONG (64-bit); takes a number (safe integer range) or a bigint. */
  varlong(v: number | bigint): this {
    const big = typeof v === 'bigint' ? v : BigInt(v);
    let z = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
    this.ensure(10);
    while (z >= 0x80n) { this.buf[this.pos++] = Number(z & 0x7fn) | 0x80; z >>= 7n; }
    this.buf[this.pos++] = Number(z);
    return this;
  }

  /** Raw bytes with no length prefix. Large buffers are kept by reference, not copied. */
  raw(b: Uint8Array): this {
    if (b.length >= LARGE_BLOB_BYTES) {
      this.seal();
      this.chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
      this.flushedBytes += b.length;
      return this;
    }
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  string(v: string): this {
    const n = Buffer.byteLength(v);
    // A STRING's length is an INT16: a longer value cannot be sent (the server closes that connection).
    if (n > 0x7fff) throw new RangeError(`a string of ${n} bytes is longer than a STRING holds (32767)`);
    this.int16(n);
    this.ensure(n);
    this.buf.write(v, this.pos, n, 'utf8');
    this.pos += n;
    return this;
  }

  nullableString(v: string | null): this {
    return v === null ? this.int16(-1) : this.string(v);
  }

  bytes(v: Uint8Array): this { return this.int32(v.length).raw(v); }

  nullableBytes(v: Uint8Array | null): this { return v === null ? this.int32(-1) : this.bytes(v); }

  /** Overwrites 4 bytes at `at` (an absolute offset that must still be in the current buffer). */
  patchInt32(at: number, v: number): void {
    const rel = at - this.flushedBytes;
    if (rel < 0) throw new Error('patchInt32 behind a sealed chunk');
    this.buf.writeInt32BE(v, rel);
  }

  private seal(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.flushedBytes += this.pos;
    this.buf = Buffer.allocUnsafe(Math.max(256, this.buf.length - this.pos));
    this.pos = 0;
  }

  /** The written bytes as a list of buffers (the writer must not be used afterwards). */
  toChunks(): Buffer[] {
    this.seal();
    return this.chunks;
  }

  /** The written bytes as one buffer (copies when there is more than one chunk). */
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }
}
