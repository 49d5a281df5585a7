// `mq consume --exec CMD`: runs CMD with /bin/sh -c, the record value (or, with --batch, the batch's
// values one per line) on its stdin, and MQ_TOPIC / MQ_PARTITION / MQ_OFFSET (the first record's) /
// MQ_KEY in its environment. CMD's stdout is handed to `onStdout` (the command's output), its stderr
// goes to ours. Resolves with the exit code (or 128 + signal number when it was killed).
//
// A key that cannot be an environment variable (a NUL byte ends a C string: spawn refuses it; Linux
// refuses one environment string over 128 KiB with E2BIG) is not put in MQ_KEY: CMD gets MQ_KEY_FILE,
// the path of a private file holding the key's exact bytes (removed once CMD exits), and `note` is told
// once, naming the record and the reason. So such a record is still handed over and the group moves on.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsumedRecord } from '../client/types.js';

/** Most key bytes put in CMD's environment as MQ_KEY (decoded as UTF-8 they stay under Linux's 128 KiB per string). */
export const MAX_ENV_KEY_BYTES = 32 * 1024;

/** Why `key` cannot go into the environment as MQ_KEY, or null when it can. */
export function keyUnfitForEnv(key: Buffer | null): string | null {
  if (key === null) return null;
  if (key.includes(0)) return 'its key holds a NUL byte';
  if (key.length > MAX_ENV_KEY_BYTES) return `its key is ${key.length} bytes, over the ${MAX_ENV_KEY_BYTES} that go into the environment`;
  return null;
}

export async function execCommand(
  command: string, records: ConsumedRecord[], onStdout: (text: string) => void | Promise<void>, signal?: AbortSignal,
  note: (text: string) => void = () => {},
): Promise<number> {
  const first = records[0];
  const where = `${first.topic}-${first.partition} offset ${first.offset}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env, MQ_TOPIC: first.topic, MQ_PARTITION: String(first.partition), MQ_OFFSET: String(first.offset),
  };
  delete env.MQ_KEY_FILE;
  const unfit = keyUnfitForEnv(first.key);
  let keyDir: string | null = null;
  if (unfit === null) {
    env.MQ_KEY = first.key === null ? '' : first.key.toString('utf8');
  } else {
    delete env.MQ_KEY;
    keyDir = await mkdtemp(join(tmpdir(), 'mq-exec-'));
    env.MQ_KEY_FILE = join(keyDir, 'key');
    await writeFile(env.MQ_KEY_FILE, first.key!, { mode: 0o600 });
    note(`${where}: ${unfit}; MQ_KEY is left out of the command's environment, MQ_KEY_FILE names a file holding the key`);
  }
  try {
    return await run(command, records, env, onStdout, signal);
  } catch (err) {
    // spawn throws (rather than emitting 'error') for an environment the OS refuses (E2BIG, for one).
    note(`${where}: cannot run the command: ${(err as Error).message}`);
    return 127;
  } finally {
    if (keyDir !== null) await rm(keyDir, { recursive: true, force: true });
  }
}

async function run(
  command: string, records: ConsumedRecord[], env: NodeJS.ProcessEnv, onStdout: (text: string) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<number> {
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'], signal, env });
  const pending: Promise<void>[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    const p = onStdout(text);
    if (p) pending.push(p);
  });
  child.stdin.on('error', () => { /* CMD need not read its stdin */ });
  const input = records.length === 1
    ? (records[0].value ?? Buffer.alloc(0))
    : Buffer.concat(records.flatMap((r) => [r.value ?? Buffer.alloc(0), Buffer.from('\n')]));
  child.stdin.end(input);
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (exitCode, sig) => resolve(exitCode ?? 128 + (sig ? constants.signals[sig] ?? 0 : 0)));
  });
  await Promise.all(pending);
  return code;
}
