import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachLine, readLineChunks, readReusing } from '../../../src/cli/line-reader.js';

/** The lines of each chunk readLineChunks yields, checking every chunk but a last one ends with \n. */
async function lines(chunks: (string | Buffer)[]): Promise<string[]> {
  const out: string[] = [];
  let unterminated = false;
  for await (const chunk of readLineChunks(Readable.from(chunks))) {
    assert.ok(!unterminated, 'only the last chunk may lack a final \\n');
    unterminated = chunk[chunk.length - 1] !== 10;
    eachLine(chunk, (start, end) => out.push(chunk.toString('utf8', start, end)));
  }
  return out;
}

describe('readLineChunks', () => {
  test('splits on \\n and keeps a last line without newline', async () => {
    assert.deepEqual(await lines(['a\nb\nc']), ['a', 'b', 'c']);
    assert.deepEqual(await lines(['a\nb\n']), ['a', 'b']);
  });

  test('keeps empty lines in the middle', async () => {
    assert.deepEqual(await lines(['a\n\nb\n']), ['a', '', 'b']);
  });

  test('strips exactly one trailing \\r', async () => {
    assert.deepEqual(await lines(['a\r\nb\r\r\nc\r']), ['a', 'b\r', 'c']);
  });

  test('joins lines split across chunks, including a split UTF-8 character', async () => {
    const euro = Buffer.from('€'); // 3 bytes
    assert.deepEqual(await lines([Buffer.from('x1\nab'), Buffer.from('cd'), Buffer.concat([Buffer.from('e'), euro.subarray(0, 1)]), Buffer.concat([euro.subarray(1), Buffer.from('\ny')])]), ['x1', 'abcde€', 'y']);
  });

  test('a \\r\\n split between chunks is still one line end', async () => {
    assert.deepEqual(await lines(['a\r', '\nb']), ['a', 'b']);
  });

  test('empty input yields nothing', async () => {
    assert.deepEqual(await lines([]), []);
    assert.deepEqual(await lines(['']), []);
  });

  test('200k lines arrive in order, at most two chunks of lines per input chunk, views not copies', async () => {
    const text = Array.from({ length: 200_000 }, (_, i) => String(i + 1)).join('\n') + '\n';
    const chunks: Buffer[] = [];
    for (let i = 0; i < text.length; i += 65536) chunks.push(Buffer.from(text.slice(i, i + 65536)));
    let n = 0;
    let yielded = 0;
    let views = 0;
    for await (const chunk of readLineChunks(Readable.from(chunks))) {
      yielded++;
      if (chunks.some((c) => c.buffer === chunk.buffer)) views++;
      eachLine(chunk, (start, end) => assert.equal(chunk.toString('latin1', start, end), String(++n)));
    }
    assert.equal(n, 200_000);
    assert.ok(yielded <= 2 * chunks.length, `${yielded} chunks of lines for ${chunks.length} input chunks`);
    assert.ok(views >= chunks.length - 1, 'the bulk of every input chunk is passed on as a view');
  });

  test('readReusing reads a file into one reused buffer; lines spanning reads are still whole', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-line-reader-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const text = Array.from({ length: 100_000 }, (_, i) => `line-${i + 1}`).join('\n'); // > one 256 KiB read, no final \n
    await writeFile(join(dir, 'in.txt'), text);
    const file = await open(join(dir, 'in.txt'), 'r');
    t.after(() => file.close());
    const input = readReusing(file.fd);
    assert.ok(input !== null, 'a regular file is read reusing');
    const buffers = new Set<ArrayBufferLike>();
    let n = 0;
    for await (const chunk of readLineChunks({ async *[Symbol.asyncIterator]() { for await (const c of input) { buffers.add(c.buffer); yield c; } } })) {
      eachLine(chunk, (start, end) => assert.equal(chunk.toString('latin1', start, end), `line-${++n}`));
    }
    assert.equal(n, 100_000);
    assert.equal(buffers.size, 1, 'every read went into the same buffer');
  });
});
