#!/usr/bin/env node
// The broker's cost of record validation on produce (src/protocol/record-validator.ts), without I/O:
// validateRecords over the 256 KiB batches `mq bench produce` sends (100 B and 1 KiB values), next to the
// CRC-32C the broker already computes over the same bytes. Needs dist/ (npx tsc -p .). Usage:
//   node bench/record-validation.mjs
import { crc32c } from '@node-rs/crc32';

const { RecordBatchBuilder } = await import('../dist/src/protocol/record-batch-builder.js');
const { validateRecords } = await import('../dist/src/protocol/record-validator.js');

for (const size of [100, 1024]) {
  const b = new RecordBatchBuilder({ maxBytes: 262144 });
  const value = Buffer.alloc(size, 0x61);
  let n = 0;
  while (b.tryAppend({ key: null, value, timestamp: Date.now() })) n++;
  const batch = b.build();
  const rounds = Math.ceil(3_000_000 / n);
  for (let i = 0; i < 100; i++) validateRecords(batch, batch.length, 1 << 26);
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) if (validateRecords(batch, batch.length, 1 << 26) !== null) throw new Error('refused');
  const ns = Number(process.hrtime.bigint() - t0) / (rounds * n);
  t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) crc32c(batch.subarray(21));
  const crcNs = Number(process.hrtime.bigint() - t0) / (rounds * n);
  console.log(`${size} B values: ${n} records per batch; validateRecords ${ns.toFixed(1)} ns/record (${(ns * n / 1000).toFixed(0)} us/batch), CRC-32C ${crcNs.toFixed(1)} ns/record`);
}
