// The server's safety net (issue 14): a handler that throws, or a response the wire cannot carry,
// closes that one connection with one log line; the process and the other connections carry on. On the
// old code the unencodable response escaped `void this.process()` as an unhandled rejection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultBrokerConfig } from '../../../src/config/config.js';
import { ApiKey } from '../../../src/protocol/api.js';
import { Server } from '../../../src/broker/server.js';
import { planListeners } from '../../../src/broker/listener-plan.js';
import type { BrokerState, Handler } from '../../../src/broker/request-context.js';
import type { Logger } from '../../../src/util/logger.js';
import { WireSocket } from '../../helpers/wire.js';

function metadata(host: string): unknown {
  return { throttleTimeMs: 0, brokers: [{ nodeId: 0, host, port: 1, rack: null }], clusterId: null, controllerId: 0, topics: [] };
}

async function withServer(handler: Handler, fn: (port: number, lines: string[]) => Promise<void>): Promise<void> {
  const lines: string[] = [];
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>): void => { lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`); };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const config = { ...defaultBrokerConfig(), listen: { host: '127.0.0.1', port: 0 } };
  const state = { config, logger } as unknown as BrokerState;
  const server = new Server(state, new Map([[ApiKey.Metadata, handler]]), planListeners(config));
  const [{ port }] = await server.listen();
  try {
    await fn(port, lines);
  } finally {
    await server.close(1000);
  }
}

test('a response the wire cannot carry closes that connection with one log line; the next request is served', async () => {
  let calls = 0;
  // The first answer names a host of 40,000 bytes (a STRING holds 32,767); later ones are normal.
  const handler: Handler = async () => metadata(calls++ === 0 ? 'h'.repeat(40_000) : 'localhost');
  await withServer(handler, async (port, lines) => {
    const bad = await WireSocket.connect(port);
    bad.send(ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
    assert.equal(await bad.closedWithin(5000), true);
    const closing = lines.filter((l) => l.includes('closing connection'));
    assert.equal(closing.length, 1, lines.join('\n'));
    assert.match(closing[0], /Metadata v4 correlation 1 .*could not be encoded/);
    const good = await WireSocket.connect(port);
    try {
      const res = await good.request(ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
      assert.equal(res.brokers[0].host, 'localhost');
    } finally {
      good.close();
    }
  });
});

test('a handler that throws closes that connection with one log line', async () => {
  const handler: Handler = async () => { throw new Error('handler bug'); };
  await withServer(handler, async (port, lines) => {
    const s = await WireSocket.connect(port);
    s.send(ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
    assert.equal(await s.closedWithin(5000), true);
    assert.equal(lines.filter((l) => l.startsWith('error request failed') && l.includes('handler bug')).length, 1, lines.join('\n'));
  });
});
