// A temporary directory removed when the test ends, through the test's cleanup stack (`defer`): it is
// removed after everything registered later with `defer` (brokers, logs, cleaners writing into it).
// Closers registered with plain `t.after` still run after it (node:test runs those in registration
// order), so a test that leaves work writing into the directory that way must stop it in its body; the
// retries cover a file created during the removal by work already under way.
import type { TestContext } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defer } from './in-process-broker.js';

export async function tempDir(t: TestContext, prefix = 'mq-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  defer(t, () => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));
  return dir;
}
