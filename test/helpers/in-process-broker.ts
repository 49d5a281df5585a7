// An in-process broker for component tests, and a cleanup stack per test. No import-time side effects.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { defaultBrokerConfig, type BrokerConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/util/logger.js';

const cleanups = new WeakMap<TestContext, (() => Promise<unknown>)[]>();

/**
 * Registers `fn` to run when the test ends, in reverse order of registration (clients before the
 * broker they talk to): node:test runs t.after hooks in registration order, so each test gets one hook
 * that unwinds its own stack.
 */
export function defer(t: TestContext, fn: () => Promise<unknown>): void {
  let stack = cleanups.get(t);
  if (!stack) {
    const fresh: (() => Promise<unknown>)[] = [];
    stack = fresh;
    cleanups.set(t, fresh);
    t.after(async () => {
      // Every cleanup runs even if one before it fails (a broker must not outlive its test); the first
      // failure is reported once the stack is empty.
      const failures: unknown[] = [];
      while (fresh.length > 0) await fresh.pop()!().catch((err: unknown) => failures.push(err));
      if (failures.length > 0) throw failures[0];
    });
  }
  stack.push(fn);
}

/** Starts a broker on 127.0.0.1:0 in a fresh temp dir, closed and removed when the test ends. */
export async function inProcessBroker(t: TestContext, overrides: Partial<BrokerConfig> = {}): Promise<{ broker: Broker; bootstrap: string[] }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mq-component-'));
  defer(t, () => rm(dataDir, { recursive: true, force: true }));
  const broker = await startBroker(
    { ...defaultBrokerConfig(), dataDir, listen: { host: '127.0.0.1', port: 0 }, ...overrides },
    { logger: createLogger('error', () => {}) },
  );
  defer(t, () => broker.close());
  return { broker, bootstrap: [`127.0.0.1:${broker.port}`] };
}
