// `mq consume --exec CMD`: runs CMD with /bin/sh -c, the record value (or, with --batch, the batch's
// values one per line) on its stdin, and MQ_TOPIC / MQ_PARTITION / MQ_OFFSET (the first record's) /
// MQ_KEY in its environment. CMD's stdout is handed to `onStdout` (the command's output), its stderr
// goes to ours. Resolves with the exit code (or 128 + signal number when it was killed).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ConsumedRecord } from '../client/types.js';

export async function execCommand(
  command: string, records: ConsumedRecord[], onStdout: (text: string) => void | Promise<void>, signal?: AbortSignal,
): Promise<number> {
  const first = records[0];
  const child = spawn('/bin/sh', ['-c', command], {
    stdio: ['pipe', 'pipe', 'inherit'],
    signal,
    env: {
      ...process.env,
      MQ_TOPIC: first.topic,
      MQ_PARTITION: String(first.partition),
      MQ_OFFSET: String(first.offset),
      MQ_KEY: first.key === null ? '' : first.key.toString('utf8'),
    },
  });
  const pending: Promise<void>[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    const p = onStdout(text);
    if (p) pending.push(p);
  });
  child.stdin.on('error', () => { /* CMD need not read its stdin */ });
  const input = records.length === 1
    ? (first.value ?? Buffer.alloc(0))
    : Buffer.concat(records.flatMap((r) => [r.value ?? Buffer.alloc(0), Buffer.from('\n')]));
  child.stdin.end(input);
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (exitCode, sig) => resolve(exitCode ?? 128 + (sig ? constants.signals[sig] ?? 0 : 0)));
  });
  await Promise.all(pending);
  return code;
}
