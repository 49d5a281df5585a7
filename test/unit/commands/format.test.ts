import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConsumedRecord } from '../../../src/client/types.js';
import { compileFormat, parseFormat } from '../../../src/cli/format.js';
import { recordJson } from '../../../src/cli/record-json.js';
import { MqError } from '../../../src/util/mq-error.js';

const record: ConsumedRecord = {
  topic: 'orders',
  partition: 2,
  offset: 41,
  timestamp: 1700000000123,
  timestampType: 0,
  key: Buffer.from('k1'),
  value: Buffer.from('héllo'),
  headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: null }],
};
const nulls: ConsumedRecord = { ...record, key: null, value: null, headers: [] };

describe('parseFormat', () => {
  test('splits literals and tokens, decoding escapes and %%', () => {
    assert.deepEqual(parseFormat('%k=%v\\n'), [{ token: 'k' }, { literal: '=' }, { token: 'v' }, { literal: '\n' }]);
    assert.deepEqual(parseFormat('100%% \\t\\\\ \\r'), [{ literal: '100% \t\\ \r' }]);
    assert.deepEqual(parseFormat(''), []);
  });

  for (const bad of ['%x', '%', 'abc%', '\\q', 'tail\\']) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseFormat(bad), (e: unknown) => e instanceof MqError && e.code === 'INVALID_ARGUMENT' && /unknown sequence/.test(e.message));
    });
  }
});

describe('compileFormat', () => {
  test('renders every token', () => {
    const render = compileFormat('%t/%p@%o %T [%k]=[%v] %h s=%s S=%S K=%K\\n');
    assert.equal(render(record), 'orders/2@41 1700000000123 [k1]=[héllo] a=1,b= s=héllo S=6 K=2\n');
  });

  test('null key and value print as nothing, sizes as kcat does', () => {
    assert.equal(compileFormat('[%k][%v][%h] [%s] %S %K')(nulls), '[][][] [] -1 -1');
  });

  test('the default format is the value and a newline', () => {
    assert.equal(compileFormat('%v\\n')(record), 'héllo\n');
    assert.equal(compileFormat('%v\\n')(nulls), '\n');
  });
});

describe('recordJson', () => {
  test('one line of JSON with UTF-8 strings and a headers object', () => {
    const line = recordJson(record);
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.deepEqual(JSON.parse(line), {
      topic: 'orders', partition: 2, offset: 41, timestamp: 1700000000123, key: 'k1', value: 'héllo', headers: { a: '1', b: null },
    });
  });

  test('null key and value stay null', () => {
    const parsed = JSON.parse(recordJson(nulls));
    assert.equal(parsed.key, null);
    assert.equal(parsed.value, null);
    assert.deepEqual(parsed.headers, {});
  });
});
