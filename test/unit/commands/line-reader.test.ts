import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { readLines } from '../../../src/cli/line-reader.js';

async function lines(chunks: (string | Buffer)[]): Promise<string[]> {
  const out: string[] = [];
  for await (const group of readLines(Readable.from(chunks))) for (const l of group) out.push(l.toString('utf8'));
  return out;
}

describe('readLines', () => {
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

  test('200k lines arrive in order, grouped per chunk', async () => {
    const text = Array.from({ length: 200_000 }, (_, i) => String(i + 1)).join('\n') + '\n';
    const chunks: Buffer[] = [];
    for (let i = 0; i < text.length; i += 65536) chunks.push(Buffer.from(text.slice(i, i + 65536)));
    let n = 0;
    let groups = 0;
    for await (const group of readLines(Readable.from(chunks))) {
      groups++;
      for (const l of group) assert.equal(l.toString(), String(++n));
    }
    assert.equal(n, 200_000);
    assert.ok(groups <= chunks.length, `${groups} groups for ${chunks.length} chunks`);
  });
});
