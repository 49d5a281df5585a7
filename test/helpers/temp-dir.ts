// A temporary directory owned by one test: removed when the test ends, through the test's cleanup
// stack (`defer`), so after everything registered later with `defer` (brokers, logs, cleaners writing
// into it). Closers registered with plain `t.after` still run after it (node:test runs those in
// registration order): a test that leaves work writing into the directory that way must stop it in its
// body.
import type { TestContext } from 'node:test';
import { defer } from './in-process-broker.js';
import { tempDir } from './mq-process.js';

export async function tempDirFor(t: TestContext, prefix?: string): Promise<string> {
  const dir = await tempDir(prefix);
  defer(t, () => dir.remove());
  return dir.path;
}
