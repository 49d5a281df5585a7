// What the machine can move, measured in the same run as the brokers (bench/compare.sh):
// - loopback TCP, Node to Node: a child Node process writes 1 MiB buffers to one socket for ~2 s;
//   this process counts what it receives;
// - sequential disk write with O_DSYNC in 1 MiB blocks (each write is on disk when it returns);
// - fdatasyncs per second for 4 KiB appends (the ceiling of fsync-per-batch durability).
// Each is bounded by time and bytes.
import { spawn } from 'node:child_process';
import { closeSync, constants, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface MachineLimits {
  loopbackMbPerSec: number;
  diskDsyncMbPerSec: number;
  fdatasyncsPerSec: number;
}

const MIB = 1024 * 1024;

/** Bytes per second a child Node process can push to this one over 127.0.0.1 with 1 MiB writes. */
export async function loopbackMbPerSec(seconds = 2): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const writer = `const s=require('net').connect(${port},'127.0.0.1');const b=Buffer.alloc(${MIB},1);const end=Date.now()+${seconds * 1000};`
    + `s.on('connect',function w(){while(Date.now()<end){if(!s.write(b)){s.once('drain',w);return;}}s.end();});s.on('error',()=>{});`;
  const received = new Promise<{ bytes: number; ms: number }>((resolve) => {
    server.once('connection', (sock) => {
      let bytes = 0;
      let first = 0;
      sock.on('data', (c: Buffer) => { if (first === 0) first = performance.now(); bytes += c.length; });
      sock.on('close', () => resolve({ bytes, ms: performance.now() - first }));
      sock.on('error', () => undefined);
    });
  });
  const child = spawn(process.execPath, ['-e', writer], { stdio: 'ignore' });
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 10) * 1000);
  const { bytes, ms } = await received;
  clearTimeout(killer);
  server.close();
  return ms > 0 ? Math.round(bytes / 1e6 / (ms / 1000)) : 0;
}

/** MB/s of sequential 1 MiB writes through O_DSYNC in `dir`, for up to `seconds` or `maxBytes`. */
export function diskDsyncMbPerSec(dir: string, seconds = 3, maxBytes = 1024 * MIB): number {
  const file = join(dir, 'dsync.bin');
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC);
  const block = Buffer.alloc(MIB, 0x5a);
  let bytes = 0;
  const started = performance.now();
  try {
    while (bytes < maxBytes && performance.now() - started < seconds * 1000) bytes += writeSync(fd, block);
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return Math.round(bytes / 1e6 / ((performance.now() - started) / 1000));
}

/** fdatasync() calls per second, each after appending 4 KiB, for up to `seconds`. */
export function fdatasyncsPerSec(dir: string, seconds = 2): number {
  const file = join(dir, 'fdatasync.bin');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 0x33);
  let n = 0;
  const started = performance.now();
  try {
    while (performance.now() - started < seconds * 1000 && n < 1_000_000) {
      writeSync(fd, block);
      fdatasyncSync(fd);
      n++;
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return Math.round(n / ((performance.now() - started) / 1000));
}

export async function measureMachineLimits(dir: string): Promise<MachineLimits> {
  return { loopbackMbPerSec: await loopbackMbPerSec(), diskDsyncMbPerSec: diskDsyncMbPerSec(dir), fdatasyncsPerSec: fdatasyncsPerSec(dir) };
}
