// Kafka's listener settings: names, protocols (the four and mapped names), advertised addresses by name,
// the inter-broker listener, and each misconfiguration named with what to write instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseListeners, usesSasl, usesTls } from '../../../src/security/listeners.js';

test('two listeners, one advertised elsewhere; the first is inter-broker by default', () => {
  const l = parseListeners({ listeners: 'PLAINTEXT://127.0.0.1:9092, SASL_SSL://0.0.0.0:9093', advertisedListeners: 'SASL_SSL://mq1.example.com:19093' });
  assert.deepEqual(l.all.map((x) => [x.name, x.protocol, x.host, x.port, x.advertisedHost, x.advertisedPort]), [
    ['PLAINTEXT', 'PLAINTEXT', '127.0.0.1', 9092, '127.0.0.1', 9092],
    ['SASL_SSL', 'SASL_SSL', '0.0.0.0', 9093, 'mq1.example.com', 19093],
  ]);
  assert.equal(l.interBroker.name, 'PLAINTEXT');
  assert.deepEqual(l.all.map((x) => [usesSasl(x), usesTls(x)]), [[false, false], [true, true]]);
});

test('names of one\'s own through listener.security.protocol.map; inter.broker.listener.name picks one', () => {
  const l = parseListeners({
    listeners: 'INTERNAL://[::1]:9094,EXTERNAL://:9095',
    protocolMap: 'INTERNAL:SASL_PLAINTEXT,EXTERNAL:SSL',
    interBrokerListenerName: 'internal',
  });
  assert.deepEqual(l.all.map((x) => [x.name, x.protocol, x.host]), [['INTERNAL', 'SASL_PLAINTEXT', '::1'], ['EXTERNAL', 'SSL', '0.0.0.0']]);
  assert.equal(l.interBroker.name, 'INTERNAL');
});

test('a bare HOST:PORT is a PLAINTEXT listener (what --listen has always meant)', () => {
  assert.deepEqual(parseListeners({ listeners: '127.0.0.1:9092' }).all.map((x) => [x.name, x.protocol, x.port]), [['PLAINTEXT', 'PLAINTEXT', 9092]]);
});

test('misconfigurations are named', () => {
  const bad = (s: Parameters<typeof parseListeners>[0], re: RegExp): void => assert.throws(() => parseListeners(s), (e: Error & { code?: string }) => e.code === 'INVALID_CONFIG' && re.test(e.message));
  bad({ listeners: 'CLIENT://127.0.0.1:9092' }, /listener CLIENT has no security protocol/);
  bad({ listeners: 'PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9093' }, /name PLAINTEXT is used twice/);
  bad({ listeners: 'PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.2:9092' }, /both use port 9092/);
  bad({ listeners: 'PLAINTEXT://127.0.0.1:9092', advertisedListeners: 'SSL://x:1' }, /names SSL, which is not in listeners/);
  bad({ listeners: 'PLAINTEXT://0.0.0.0:9092', advertisedListeners: 'PLAINTEXT://0.0.0.0:9092' }, /which clients cannot dial/);
  bad({ listeners: 'PLAINTEXT://127.0.0.1:9092', interBrokerListenerName: 'SSL' }, /not one of the listeners \(PLAINTEXT\)/);
  bad({ listeners: 'A://h:1', protocolMap: 'A:TLS' }, /NAME:PROTOCOL/);
  bad({ listeners: 'PLAINTEXT://127.0.0.1' }, /not NAME:\/\/HOST:PORT/);
  bad({ listeners: 'PLAINTEXT://127.0.0.1:70000' }, /above 65535/);
  bad({ listeners: ' , ' }, /listeners is empty/);
});
