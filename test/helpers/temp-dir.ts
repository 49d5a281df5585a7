// A temporary directory removed after the test. Node runs `t.after` hooks in the order they were
// registered, so this removal runs before any closer registered later: a test with something still
// writing into the directory in the background (a cleaner pass, a flush timer) must stop it in its
// body. The retries cover a file created during the removal by work that was already under way.
import type { TestContext } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function tempDir(t: TestContext, prefix = 'mq-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));
  return dir;
}
