// The broker's listener plan: what each listener offers and what a TLS or SASL listener needs, checked
// before anything binds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultBrokerConfig, type BrokerConfig } from '../../../src/config/config.js';
import { planListeners } from '../../../src/broker/listener-plan.js';
import { interBrokerSecurity } from '../../../src/broker/inter-broker-security.js';

function config(edit: (s: BrokerConfig['security']) => void): BrokerConfig {
  const c = defaultBrokerConfig();
  edit(c.security);
  return c;
}

test('no listeners setting: one PLAINTEXT listener on --listen, which is also the inter-broker one', () => {
  const plan = planListeners({ ...defaultBrokerConfig(), listen: { host: '127.0.0.1', port: 9099 } });
  assert.deepEqual(plan.listeners.map((l) => [l.name, l.protocol, l.host, l.port, l.tls, l.mechanisms.length]), [['PLAINTEXT', 'PLAINTEXT', '127.0.0.1', 9099, false, 0]]);
  assert.equal(plan.interBroker.name, 'PLAINTEXT');
  assert.equal(plan.tls, null);
});

test('SASL listeners offer sasl.enabled.mechanisms; PLAIN only over TLS unless sasl.plain.allow.plaintext', () => {
  const both = (allow: boolean) => planListeners(config((s) => {
    s.listeners = 'SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0';
    s.saslEnabledMechanisms = ['PLAIN', 'SCRAM-SHA-512'];
    s.saslPlainAllowPlaintext = allow;
    s.ssl.certificateLocation = '/c.pem';
    s.ssl.keyLocation = '/k.pem';
  }));
  const strict = both(false);
  assert.deepEqual(strict.listeners.map((l) => [l.name, [...l.mechanisms]]), [['SASL_PLAINTEXT', ['SCRAM-SHA-512']], ['SASL_SSL', ['PLAIN', 'SCRAM-SHA-512']]]);
  assert.match(strict.warnings.join('\n'), /PLAIN is not offered on SASL_PLAINTEXT/);
  assert.deepEqual([...both(true).listeners[0].mechanisms], ['PLAIN', 'SCRAM-SHA-512']);
});

test('misconfigurations are refused with what to set', () => {
  assert.throws(() => planListeners(config((s) => { s.listeners = 'SSL://127.0.0.1:0'; })), /uses TLS but ssl\.certificate\.location and ssl\.key\.location are not both set/);
  assert.throws(() => planListeners(config((s) => { s.listeners = 'SASL_PLAINTEXT://127.0.0.1:0'; s.saslEnabledMechanisms = ['GSSAPI']; })), /GSSAPI is not a mechanism mq serves/);
  assert.throws(() => planListeners(config((s) => { s.listeners = 'SASL_PLAINTEXT://127.0.0.1:0'; s.saslEnabledMechanisms = ['PLAIN']; })), /has no SASL mechanism to offer/);
  assert.throws(() => planListeners(config((s) => { s.listeners = 'PLAINTEXT://127.0.0.1:1,SSL://127.0.0.1:1'; })), /both use port 1/);
});

test('in cluster mode an inter-broker SASL listener needs the broker\'s own login, with a mechanism the listener offers', () => {
  const c = config((s) => {
    s.listeners = 'PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0';
    s.protocolMap = 'INTERNAL:SASL_PLAINTEXT';
    s.interBrokerListenerName = 'INTERNAL';
  });
  assert.deepEqual(interBrokerSecurity(c, planListeners(c)), { protocol: 'SASL_PLAINTEXT' }, 'embedded: no other broker to log in to');
  c.etcdEndpoints = ['http://127.0.0.1:2379'];
  assert.throws(() => interBrokerSecurity(c, planListeners(c)), /inter-broker listener INTERNAL uses SASL, but inter\.broker\.sasl\.mechanism/);
  c.security.interBrokerSasl = { mechanism: 'PLAIN', username: 'broker', password: 'x' };
  assert.throws(() => interBrokerSecurity(c, planListeners(c)), /PLAIN is not offered on the inter-broker listener INTERNAL/);
  c.security.interBrokerSasl.mechanism = 'scram-sha-512';
  assert.deepEqual(interBrokerSecurity(c, planListeners(c)), { protocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'SCRAM-SHA-512', username: 'broker', password: 'x' } });
});
