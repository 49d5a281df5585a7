// Client security from librdkafka's property names (and Kafka's Java jaas form): each protocol, the
// checks that catch a half-configured client, and a properties file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClientProperties, parsePropertiesText } from '../../../src/client/security-options.js';

const parse = (o: Record<string, string>) => parseClientProperties(new Map(Object.entries(o)));

test('plaintext by default; other keys are passed through', () => {
  const { security, rest } = parse({ 'client.id': 'x' });
  assert.deepEqual(security, { protocol: 'PLAINTEXT' });
  assert.deepEqual([...rest], [['client.id', 'x']]);
});

test('sasl_ssl with SCRAM and a CA; sasl_plaintext with PLAIN by default', () => {
  assert.deepEqual(parse({ 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'scram-sha-512', 'sasl.username': 'alice', 'sasl.password': 'pw', 'ssl.ca.location': '/ca.pem' }).security, {
    protocol: 'SASL_SSL',
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pw' },
    tls: { caLocation: '/ca.pem', certificateLocation: undefined, keyLocation: undefined, keyPassword: undefined, verifyCertificate: true, verifyHostname: true },
  });
  assert.deepEqual(parse({ 'security.protocol': 'sasl_plaintext', 'sasl.username': 'u', 'sasl.password': 'p' }).security.sasl, { mechanism: 'PLAIN', username: 'u', password: 'p' });
});

test('Kafka\'s sasl.jaas.config supplies the username and password', () => {
  const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="p\\"w";';
  assert.deepEqual(parse({ 'security.protocol': 'sasl_ssl', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.jaas.config': jaas }).security.sasl, { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'p"w' });
});

test('ssl with a client certificate and verification settings', () => {
  const tls = parse({ 'security.protocol': 'ssl', 'ssl.certificate.location': '/c.pem', 'ssl.key.location': '/k.pem', 'enable.ssl.certificate.verification': 'false', 'ssl.endpoint.identification.algorithm': 'none' }).security.tls;
  assert.equal(tls?.verifyCertificate, false);
  assert.equal(tls?.verifyHostname, false);
});

test('half-configured clients are named', () => {
  const bad = (o: Record<string, string>, re: RegExp): void => assert.throws(() => parse(o), (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && re.test(e.message));
  bad({ 'security.protocol': 'tls' }, /must be plaintext, ssl, sasl_plaintext or sasl_ssl/);
  bad({ 'security.protocol': 'sasl_ssl', 'sasl.username': 'u' }, /needs sasl.username and sasl.password/);
  bad({ 'sasl.username': 'u', 'sasl.password': 'p' }, /security.protocol is PLAINTEXT/);
  bad({ 'security.protocol': 'sasl_ssl', 'sasl.mechanism': 'GSSAPI', 'sasl.username': 'u', 'sasl.password': 'p' }, /GSSAPI and OAUTHBEARER are not supported/);
  bad({ 'ssl.ca.location': '/ca.pem' }, /ssl.ca.location given but security.protocol is PLAINTEXT/);
  bad({ 'security.protocol': 'ssl', 'ssl.certificate.location': '/c.pem' }, /needs both ssl.certificate.location and ssl.key.location/);
  bad({ 'ssl.truststore.location': '/t.jks' }, /Java keystores are not supported/);
});

test('properties files: comments, both separators, a line that is not key=value', () => {
  const p = parsePropertiesText('# client\nsecurity.protocol=SASL_SSL\n! also a comment\nsasl.username : alice\n\nsasl.password=a=b\n', 'client.properties');
  assert.deepEqual([...p], [['security.protocol', 'SASL_SSL'], ['sasl.username', 'alice'], ['sasl.password', 'a=b']]);
  assert.throws(() => parsePropertiesText('sasl.password hunter2\n', 'f'), (err: Error) => !err.message.includes('hunter2'));
  assert.throws(() => parsePropertiesText('ok=1\njunk\n', 'f.properties'), /f.properties:2: the line starting "junk" is not key=value/);
});
