// The client's SASL exchange against the broker's authenticator, every message encoded and decoded
// through the wire schemas (SaslHandshake v1, SaslAuthenticate v1): PLAIN and both SCRAMs succeed, and
// a wrong password, an unknown user and a mechanism the listener does not enable fail with the names
// and hints a person needs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiSpec, ApiKey } from '../../../src/protocol/api.js';
import { errorCodeOf } from '../../../src/protocol/error-codes.js';
import { authenticateSasl, type ClientSasl, type SaslRequest } from '../../../src/client/sasl-client.js';
import { SaslAuthenticator, type SaslMechanism } from '../../../src/security/sasl-authenticator.js';
import { scramCredential, type ScramCredential, type ScramMechanism } from '../../../src/security/scram.js';
import { MqError } from '../../../src/util/mq-error.js';

const users = new Map<string, ScramCredential>();

/** A broker side: the authenticator answering decoded requests, with both directions through the codecs. */
function brokerSide(enabled: SaslMechanism[]): SaslRequest {
  const auth = new SaslAuthenticator({ enabled, fakeSaltKey: Buffer.alloc(32, 9), lookup: async (u, m: ScramMechanism) => users.get(`${u}/${m}`) ?? null });
  return async <Res>(apiKey: number, version: number, body: unknown): Promise<Res> => {
    const spec = apiSpec(apiKey)!;
    const req = spec.request.fromBuffer(spec.request.toBuffer(body, version), version) as Record<string, unknown>;
    let res: unknown;
    if (apiKey === ApiKey.SaslHandshake) {
      let errorCode = 0;
      try { auth.handshake(req.mechanism as string); } catch (err) { errorCode = errorCodeOf((err as MqError).code); }
      res = { errorCode, mechanisms: [...auth.mechanisms] };
    } else {
      try {
        res = { errorCode: 0, errorMessage: null, authBytes: await auth.authenticate(req.authBytes as Buffer), sessionLifetimeMs: 0n };
      } catch (err) {
        res = { errorCode: errorCodeOf((err as MqError).code), errorMessage: (err as Error).message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
      }
    }
    return spec.response.fromBuffer(spec.response.toBuffer(res, version), version) as Res;
  };
}

describe('authenticateSasl', async () => {
  users.set('alice/SCRAM-SHA-256', await scramCredential('SCRAM-SHA-256', 'a-secret'));
  users.set('alice/SCRAM-SHA-512', await scramCredential('SCRAM-SHA-512', 'a-secret'));
  const all: SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

  for (const mechanism of all) {
    test(`${mechanism}: the right password is accepted; a wrong one and an unknown user are named`, async () => {
      const as = (username: string, password: string): ClientSasl => ({ mechanism, username, password });
      assert.equal(await authenticateSasl(brokerSide(all), as('alice', 'a-secret'), '127.0.0.1:9093'), 0);
      await assert.rejects(authenticateSasl(brokerSide(all), as('alice', 'nope'), '127.0.0.1:9093'), (err: MqError) => {
        assert.equal(err.code, 'SASL_AUTHENTICATION_FAILED');
        assert.equal(err.message, `authentication failed for user alice (${mechanism}) at 127.0.0.1:9093: check sasl.username / sasl.password`);
        assert.doesNotMatch(`${err.message} ${err.hint ?? ''}`, /nope/);
        return true;
      });
      await assert.rejects(authenticateSasl(brokerSide(all), as('mallory', 'x'), 'b:1'), { code: 'SASL_AUTHENTICATION_FAILED' });
    });
  }

  test('a mechanism the listener does not enable: the error lists what it does', async () => {
    await assert.rejects(authenticateSasl(brokerSide(['SCRAM-SHA-512']), { mechanism: 'PLAIN', username: 'alice', password: 'a-secret' }, 'b:1'), (err: MqError) => {
      assert.equal(err.code, 'UNSUPPORTED_SASL_MECHANISM');
      assert.match(err.message, /does not enable SASL mechanism PLAIN \(it enables: SCRAM-SHA-512\)/);
      return true;
    });
  });
});
