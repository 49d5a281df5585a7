// The broker settings that bound what clients can make it hold (issue 14): defaults, validation with
// clear errors, and the checks between settings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBrokerConfig } from '../../../src/config/config.js';
import { MqError } from '../../../src/util/mq-error.js';

const invalidConfig = (re: RegExp) => (err: unknown): boolean => err instanceof MqError && err.code === 'INVALID_CONFIG' && re.test(err.message);

describe('client limit settings', () => {
  test('defaults are Kafka-like', async () => {
    const c = await loadBrokerConfig({});
    assert.equal(c.connectionsMaxIdleMs, 600_000);
    assert.equal(c.maxConnectionsPerIp, 2 ** 31 - 1);
    assert.equal(c.fetchMaxBytes, 57_671_680);
    assert.equal(c.replicaFetchResponseMaxBytes, 10_485_760);
    assert.equal(c.queuedMaxRequestBytes, c.socketRequestMaxBytes);
  });

  test('each is read from the environment', async () => {
    const c = await loadBrokerConfig({ env: {
      MQ_MAX_CONNECTIONS: '7', MQ_MAX_CONNECTIONS_PER_IP: '3', MQ_CONNECTIONS_MAX_IDLE_MS: '1000', MQ_SOCKET_REQUEST_READ_TIMEOUT_MS: '2000',
      MQ_FETCH_MAX_BYTES: '4096', MQ_MAX_TOPICS: '5', MQ_MAX_PARTITIONS_PER_TOPIC: '6', MQ_MAX_PARTITIONS_PER_REQUEST: '8',
    } });
    assert.deepEqual(
      [c.maxConnections, c.maxConnectionsPerIp, c.connectionsMaxIdleMs, c.socketRequestReadTimeoutMs, c.fetchMaxBytes, c.maxTopics, c.maxPartitionsPerTopic, c.maxPartitionsPerRequest],
      [7, 3, 1000, 2000, 4096, 5, 6, 8],
    );
  });

  test('bad values are refused with the setting named', async () => {
    await assert.rejects(loadBrokerConfig({ env: { MQ_MAX_CONNECTIONS: '0' } }), invalidConfig(/^max\.connections=0: must be an integer >= 1/));
    await assert.rejects(loadBrokerConfig({ env: { MQ_CONNECTIONS_MAX_IDLE_MS: 'soon' } }), invalidConfig(/^connections\.max\.idle\.ms=soon/));
    await assert.rejects(loadBrokerConfig({ env: { MQ_FETCH_MAX_BYTES: '3000000000' } }), invalidConfig(/fetch\.max\.bytes=3000000000: must be at most 2147483647/));
    await assert.rejects(loadBrokerConfig({ env: { MQ_SOCKET_REQUEST_MAX_BYTES: '3000000000' } }), invalidConfig(/at most 2147483647/));
  });

  test('message.max.bytes must fit in socket.request.max.bytes', async () => {
    await assert.rejects(
      loadBrokerConfig({ env: { MQ_SOCKET_REQUEST_MAX_BYTES: '1048576', MQ_MESSAGE_MAX_BYTES: '2000000' } }),
      invalidConfig(/message\.max\.bytes=2000000 is larger than socket\.request\.max\.bytes=1048576/),
    );
  });

  test('queued.max.request.bytes follows socket.request.max.bytes unless set, and must hold one request when set', async () => {
    const c = await loadBrokerConfig({ env: { MQ_SOCKET_REQUEST_MAX_BYTES: String(200 * 1024 * 1024) } });
    assert.equal(c.queuedMaxRequestBytes, 200 * 1024 * 1024);
    await assert.rejects(
      loadBrokerConfig({ env: { MQ_SOCKET_REQUEST_MAX_BYTES: '2000000', MQ_QUEUED_MAX_REQUEST_BYTES: '1000000' } }),
      invalidConfig(/queued\.max\.request\.bytes=1000000 is smaller than socket\.request\.max\.bytes=2000000/),
    );
  });
});
