// `mq consume --exec` (exec-command.ts): a key that cannot be an environment variable (a NUL byte,
// over MAX_ENV_KEY_BYTES) is handed over through MQ_KEY_FILE with one note, instead of making spawn
// throw; ordinary keys still arrive in MQ_KEY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execCommand, keyUnfitForEnv, MAX_ENV_KEY_BYTES } from '../../../src/cli/exec-command.js';
import type { ConsumedRecord } from '../../../src/client/types.js';

function record(key: Buffer | null, value = 'v'): ConsumedRecord {
  return { topic: 't', partition: 2, offset: 41, timestamp: 0, timestampType: 0, key, value: Buffer.from(value), headers: [] };
}

/** Runs CMD for one record; its stdout and the notes. */
async function exec(command: string, key: Buffer | null): Promise<{ code: number; out: string; notes: string[] }> {
  let out = '';
  const notes: string[] = [];
  const code = await execCommand(command, [record(key)], (text) => { out += text; }, undefined, (n) => notes.push(n));
  return { code, out, notes };
}

const SHOW_KEY = 'if [ -n "${MQ_KEY+set}" ]; then printf "env:%s" "$MQ_KEY"; fi; if [ -n "$MQ_KEY_FILE" ]; then od -An -c "$MQ_KEY_FILE" | tr -s " \\n" " "; fi';

test('an ordinary key is MQ_KEY, no file, no note', async () => {
  const r = await exec(SHOW_KEY, Buffer.from('user-7'));
  assert.deepEqual(r, { code: 0, out: 'env:user-7', notes: [] });
  assert.deepEqual(await exec(SHOW_KEY, null), { code: 0, out: 'env:', notes: [] });
});

test('a key holding a NUL byte: MQ_KEY unset, the exact bytes in MQ_KEY_FILE, one note naming the record', async () => {
  const r = await exec(`${SHOW_KEY}; echo "|$MQ_KEY_FILE"`, Buffer.from('a\0b'));
  assert.equal(r.code, 0);
  assert.match(r.out, /^ a \\0 b \|/);
  assert.deepEqual(r.notes, ["t-2 offset 41: its key holds a NUL byte; MQ_KEY is left out of the command's environment, MQ_KEY_FILE names a file holding the key"]);
  const file = r.out.split('|')[1].trim();
  assert.equal(existsSync(file), false, 'the key file is removed once the command exits');
});

test('a key over MAX_ENV_KEY_BYTES (200 KB) goes through the file too; the value still arrives on stdin', async () => {
  const key = Buffer.alloc(200_000, 0x6b);
  const r = await exec('wc -c < "$MQ_KEY_FILE" | tr -d " \\n"; printf "+"; cat; printf "+%s" "${MQ_KEY-unset}"', key);
  assert.deepEqual(r, { code: 0, out: '200000+v+unset', notes: [r.notes[0]] });
  assert.match(r.notes[0], /its key is 200000 bytes, over the 32768/);
});

test('keyUnfitForEnv draws the line at MAX_ENV_KEY_BYTES', () => {
  assert.equal(keyUnfitForEnv(Buffer.alloc(MAX_ENV_KEY_BYTES, 0x61)), null);
  assert.match(keyUnfitForEnv(Buffer.alloc(MAX_ENV_KEY_BYTES + 1, 0x61))!, /over the 32768/);
  assert.equal(keyUnfitForEnv(null), null);
});
