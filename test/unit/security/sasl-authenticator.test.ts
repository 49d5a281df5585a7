// One connection's SASL state: handshake then tokens, PLAIN and SCRAM against the same credential store,
// and the out-of-turn and refused cases with the error codes Kafka clients expect
// (UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE, SASL_AUTHENTICATION_FAILED).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlain, SaslAuthenticator, type SaslMechanism } from '../../../src/security/sasl-authenticator.js';
import { ScramClient, scramCredential, type ScramCredential, type ScramMechanism } from '../../../src/security/scram.js';

const store = new Map<string, ScramCredential>();
const lookup = (user: string, mechanism: ScramMechanism): Promise<ScramCredential | null> => Promise.resolve(store.get(`${user}/${mechanism}`) ?? null);
const authenticator = (enabled: SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']): SaslAuthenticator =>
  new SaslAuthenticator({ enabled, lookup, fakeSaltKey: Buffer.alloc(32, 1) });
const plain = (authzid: string, user: string, password: string): Buffer => Buffer.from(`${authzid}\0${user}\0${password}`);

describe('SaslAuthenticator', async () => {
  store.set('alice/SCRAM-SHA-512', await scramCredential('SCRAM-SHA-512', 'alice-secret'));
  store.set('bob/SCRAM-SHA-256', await scramCredential('SCRAM-SHA-256', 'bob-secret'));

  test('SCRAM-SHA-512: handshake, two round trips, principal User:alice', async () => {
    const a = authenticator();
    a.handshake('SCRAM-SHA-512');
    const client = new ScramClient('SCRAM-SHA-512', 'alice', 'alice-secret');
    const serverFirst = await a.authenticate(client.first());
    assert.equal(a.principal, null);
    client.verify(await a.authenticate(await client.final(serverFirst)));
    assert.equal(a.principal, 'User:alice');
    await assert.rejects(a.authenticate(Buffer.from('again')), { code: 'ILLEGAL_SASL_STATE' });
  });

  test('PLAIN checks the password against whichever SCRAM credential the user has', async () => {
    for (const [user, password] of [['alice', 'alice-secret'], ['bob', 'bob-secret']]) {
      const a = authenticator();
      a.handshake('PLAIN');
      assert.equal((await a.authenticate(plain('', user, password))).length, 0);
      assert.equal(a.principal, `User:${user}`);
    }
    const wrong = authenticator();
    wrong.handshake('PLAIN');
    await assert.rejects(wrong.authenticate(plain('', 'alice', 'bob-secret')), { code: 'SASL_AUTHENTICATION_FAILED', message: /user "alice" \(PLAIN\)/ });
    assert.equal(wrong.principal, null);
    await assert.rejects(wrong.authenticate(plain('', 'alice', 'alice-secret')), { code: 'ILLEGAL_SASL_STATE', message: /after a failed authentication/ });
    const unknown = authenticator();
    unknown.handshake('PLAIN');
    await assert.rejects(unknown.authenticate(plain('', 'carol', 'x')), { code: 'SASL_AUTHENTICATION_FAILED' });
  });

  test('a SCRAM user of the other hash is unknown to this mechanism', async () => {
    const a = authenticator();
    a.handshake('SCRAM-SHA-256');
    const client = new ScramClient('SCRAM-SHA-256', 'alice', 'alice-secret');
    const serverFirst = await a.authenticate(client.first());
    await assert.rejects(async () => a.authenticate(await client.final(serverFirst)), { code: 'SASL_AUTHENTICATION_FAILED' });
  });

  test('mechanisms not enabled here, and tokens out of turn, are refused with Kafka\'s codes', async () => {
    const a = authenticator(['SCRAM-SHA-512']);
    assert.deepEqual(a.mechanisms, ['SCRAM-SHA-512']);
    assert.throws(() => a.handshake('PLAIN'), { code: 'UNSUPPORTED_SASL_MECHANISM', message: /PLAIN is not enabled on this listener \(enabled: SCRAM-SHA-512\)/ });
    assert.throws(() => a.handshake('GSSAPI'), { code: 'UNSUPPORTED_SASL_MECHANISM' });
    await assert.rejects(authenticator().authenticate(Buffer.from('x')), { code: 'ILLEGAL_SASL_STATE', message: /before SaslHandshake/ });
    const twice = authenticator();
    twice.handshake('PLAIN');
    assert.throws(() => twice.handshake('PLAIN'), { code: 'ILLEGAL_SASL_STATE' });
  });

  test('PLAIN tokens: malformed, empty parts and acting as another user are named', () => {
    assert.deepEqual(parsePlain(plain('', 'u', 'p')), { authzid: '', username: 'u', password: 'p' });
    assert.deepEqual(parsePlain(plain('u', 'u', 'p')), { authzid: 'u', username: 'u', password: 'p' });
    assert.throws(() => parsePlain(Buffer.from('u\0p')), /expected authzid NUL username NUL password/);
    assert.throws(() => parsePlain(Buffer.from('\0u\0p\0x')), /expected authzid NUL username NUL password/);
    assert.throws(() => parsePlain(plain('', '', 'p')), /empty username or password/);
    assert.throws(() => parsePlain(plain('admin', 'u', 'p')), /authorization id "admin" differs/);
  });
});
