// SCRAM both ways: RFC 7677's published SCRAM-SHA-256 exchange byte for byte (client and server), our
// client against our server for both hashes, and the ways an exchange must fail (wrong password,
// unknown user indistinguishable from a wrong password, tampered nonce/channel binding/proof, channel
// binding and delegation tokens refused, malformed messages named).
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  decodeSaslName, encodeSaslName, passwordMatches, ScramClient, scramCredential, ScramServer, SCRAM_MECHANISMS,
  type ScramCredential, type ScramMechanism,
} from '../../../src/security/scram.js';

// RFC 7677, section 3: user "user", password "pencil".
const RFC = {
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};
const KEY = Buffer.alloc(32, 7);

async function exchange(mechanism: ScramMechanism, credential: ScramCredential | null, user: string, password: string): Promise<void> {
  const client = new ScramClient(mechanism, user, password);
  const server = new ScramServer(mechanism, KEY);
  const first = ScramServer.parseFirst(client.first());
  assert.equal(first.username, user);
  const serverFirst = server.start(first, credential);
  const serverFinal = server.finish(await client.final(serverFirst));
  client.verify(serverFinal);
}

describe('SCRAM', () => {
  test('RFC 7677 SCRAM-SHA-256: the client sends the published messages and accepts the published signature', async () => {
    const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', RFC.clientNonce);
    assert.equal(client.first().toString(), RFC.clientFirst);
    assert.equal((await client.final(Buffer.from(RFC.serverFirst))).toString(), RFC.clientFinal);
    client.verify(Buffer.from(RFC.serverFinal));
    assert.throws(() => client.verify(Buffer.from('v=' + Buffer.alloc(32).toString('base64'))), /SCRAM signature is wrong/);
  });

  test('RFC 7677 SCRAM-SHA-256: the server, holding only the stored credential, answers with the published messages', async () => {
    const credential = await scramCredential('SCRAM-SHA-256', 'pencil', { salt: RFC.salt, iterations: 4096 });
    const server = new ScramServer('SCRAM-SHA-256', KEY, RFC.serverNonce);
    assert.equal(server.start(ScramServer.parseFirst(Buffer.from(RFC.clientFirst)), credential).toString(), RFC.serverFirst);
    assert.equal(server.finish(Buffer.from(RFC.clientFinal)).toString(), RFC.serverFinal);
  });

  for (const mechanism of SCRAM_MECHANISMS) {
    test(`${mechanism}: our client and server agree; a wrong password and an unknown user fail alike`, async () => {
      const credential = await scramCredential(mechanism, 'sécret,=pw', { iterations: 4096 });
      assert.equal(credential.storedKey.length, mechanism === 'SCRAM-SHA-256' ? 32 : 64);
      await exchange(mechanism, credential, 'ali,ce=1', 'sécret,=pw');
      await assert.rejects(exchange(mechanism, credential, 'ali,ce=1', 'wrong'), { code: 'SASL_AUTHENTICATION_FAILED', message: /authentication failed for user "ali,ce=1"/ });
      await assert.rejects(exchange(mechanism, null, 'nobody', 'whatever'), { code: 'SASL_AUTHENTICATION_FAILED', message: /authentication failed for user "nobody"/ });
      assert.equal(await passwordMatches(credential, 'sécret,=pw'), true);
      assert.equal(await passwordMatches(credential, 'sécret,=pW'), false);
    });
  }

  test('an unknown user gets the same salt on every attempt (no way to tell it from a real one by asking twice)', () => {
    const salts = [1, 2].map(() => {
      const server = new ScramServer('SCRAM-SHA-512', KEY);
      const reply = server.start(ScramServer.parseFirst(Buffer.from('n,,n=ghost,r=abcdef')), null).toString();
      return /s=([^,]+)/.exec(reply)![1];
    });
    assert.equal(salts[0], salts[1]);
  });

  test('tampered client-final messages are refused: nonce, channel binding, proof, missing proof', async () => {
    const credential = await scramCredential('SCRAM-SHA-256', 'pencil');
    const tamper = async (edit: (final: string) => string): Promise<void> => {
      const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil');
      const server = new ScramServer('SCRAM-SHA-256', KEY);
      const final = (await client.final(server.start(ScramServer.parseFirst(client.first()), credential))).toString();
      server.finish(Buffer.from(edit(final)));
    };
    await tamper((f) => f); // untouched: succeeds
    await assert.rejects(tamper((f) => f.replace(/,r=([^,]+)/, ',r=$1x')), /nonce does not match/);
    await assert.rejects(tamper((f) => f.replace('c=biws', 'c=eSws')), /channel binding does not match/);
    await assert.rejects(tamper((f) => f.replace(/p=.(.*)$/, 'p=A$1')), /authentication failed/);
    await assert.rejects(tamper((f) => f.replace(/,p=.*$/, '')), /no proof/);
  });

  test('librdkafka\'s client-final (its nonce once more in front of the server-first nonce) is accepted, as Kafka accepts it', async () => {
    // librdkafka 2.x writes "r=" c-nonce + (the whole server-first nonce); Kafka checks only that the nonce ends with it.
    const credential = await scramCredential('SCRAM-SHA-256', 'pencil', { salt: RFC.salt, iterations: 4096 });
    const server = new ScramServer('SCRAM-SHA-256', KEY, RFC.serverNonce);
    const serverFirst = server.start(ScramServer.parseFirst(Buffer.from(RFC.clientFirst)), credential).toString();
    const withoutProof = `c=biws,r=${RFC.clientNonce}${RFC.clientNonce}${RFC.serverNonce}`;
    const salted = pbkdf2Sync('pencil', RFC.salt, 4096, 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const signature = createHmac('sha256', storedKey).update(`${RFC.clientFirst.slice(3)},${serverFirst},${withoutProof}`).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
    assert.match(server.finish(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)).toString(), /^v=/);
  });

  test('refused up front: channel binding, delegation tokens, acting as another user, malformed first messages', () => {
    const start = (text: string): void => { new ScramServer('SCRAM-SHA-256', KEY).start(ScramServer.parseFirst(Buffer.from(text)), null); };
    assert.throws(() => start('p=tls-unique,,n=user,r=abc'), /channel binding is not supported/);
    assert.throws(() => start('n,,n=user,r=abc,tokenauth=true'), /delegation tokens are not supported/);
    assert.throws(() => start('n,a=admin,n=user,r=abc'), /authorization id "admin" differs/);
    start('n,a=user,n=user,r=abc');
    assert.throws(() => start('n,,r=abc,n=user'), /expected n= then r=/);
    assert.throws(() => start('hello'), /no gs2 header/);
    assert.throws(() => start('n,,n=us=er,r=abc'), /malformed SCRAM username/);
    assert.throws(() => start('n,,n=user,r=a b'), /malformed SCRAM client nonce/);
  });

  test('saslname escapes round-trip', () => {
    for (const name of ['plain', 'a,b', 'a=b', '=2C', ',=,=']) assert.equal(decodeSaslName(encodeSaslName(name)), name);
    assert.equal(encodeSaslName('a,b=c'), 'a=2Cb=3Dc');
  });

  test('iterations outside Kafka\'s 4096..16384 are refused', async () => {
    await assert.rejects(scramCredential('SCRAM-SHA-256', 'pw', { iterations: 1000 }), { code: 'UNACCEPTABLE_CREDENTIAL' });
    await assert.rejects(scramCredential('SCRAM-SHA-256', 'pw', { iterations: 20000 }), { code: 'UNACCEPTABLE_CREDENTIAL' });
  });
});
