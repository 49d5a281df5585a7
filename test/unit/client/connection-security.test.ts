// Connection over TLS and SASL against servers made in the test (tls.createServer / net.createServer with
// real openssl certificates from test/helpers/tls-certs.ts, and the broker's SaslAuthenticator answering
// SaslHandshake/SaslAuthenticate through the wire schemas): CA and hostname checks and their opt-outs,
// mTLS, an encrypted key, the errors a person can act on, SASL before the first request, and KIP-368
// re-authentication on the same socket with no request slipping in between.
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '../../../src/client/connection.js';
import { apiSchemas, type ApiSchemas } from '../../../src/client/api-schemas.js';
import type { ClientSecurity, ClientTls } from '../../../src/client/security-options.js';
import { int32, struct } from '../../../src/protocol/codec.js';
import { ApiKey, apiSpec } from '../../../src/protocol/api.js';
import { errorCodeOf } from '../../../src/protocol/error-codes.js';
import { FrameDecoder } from '../../../src/protocol/frame.js';
import { decodeRequestHeader } from '../../../src/protocol/header.js';
import { Reader } from '../../../src/protocol/reader.js';
import { SaslAuthenticator } from '../../../src/security/sasl-authenticator.js';
import { scramCredential, type ScramCredential } from '../../../src/security/scram.js';
import { MqError } from '../../../src/util/mq-error.js';
import { makeCa, makeCert, makeServerCert, type CertFiles } from '../../helpers/tls-certs.js';
import { tempDir } from '../../helpers/mq-process.js';

const ECHO_KEY = 1000;
const Echo = struct({ n: int32 });
const schemas: ApiSchemas = (k) => (k === ECHO_KEY ? { request: Echo, response: Echo } : apiSchemas(k));

interface ServerOpts {
  /** Answer SASL; sessionLifetimeMs granted on success. */
  sasl?: { lifetimeMs: number };
  tls?: tls.TlsOptions;
}

/** A toy broker: ApiVersions v0, SaslHandshake/SaslAuthenticate (when opts.sasl) and Echo; records what it saw per socket. */
async function fakeBroker(opts: ServerOpts) {
  const log: { socket: number; what: string }[] = [];
  const sockets = new Set<net.Socket>();
  const credentials = new Map<string, ScramCredential>([['alice', await scramCredential('SCRAM-SHA-512', 'a-secret')]]);
  let nextSocket = 0;
  const onSocket = (socket: net.Socket): void => {
    const id = nextSocket++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder(1 << 20);
    let auth: SaslAuthenticator | null = null;
    let authenticated = !opts.sasl;
    let chain = Promise.resolve();
    const reply = (correlationId: number, body: Buffer): void => {
      const head = Buffer.allocUnsafe(8);
      head.writeInt32BE(4 + body.length, 0);
      head.writeInt32BE(correlationId, 4);
      socket.write(Buffer.concat([head, body]));
    };
    const handle = async (frame: Buffer): Promise<void> => {
      const r = new Reader(frame);
      const h = decodeRequestHeader(r);
      if (h.apiKey === ApiKey.ApiVersions) {
        log.push({ socket: id, what: 'ApiVersions' });
        const keys = [ApiKey.ApiVersions, ...(opts.sasl ? [ApiKey.SaslHandshake, ApiKey.SaslAuthenticate] : []), ECHO_KEY];
        reply(h.correlationId, apiSpec(ApiKey.ApiVersions)!.response.toBuffer({ errorCode: 0, apiKeys: keys.map((k) => ({ apiKey: k, minVersion: 0, maxVersion: 3 })), throttleTimeMs: 0 }, 0));
      } else if (h.apiKey === ApiKey.SaslHandshake) {
        const spec = apiSpec(h.apiKey)!;
        const req = spec.request.decode(r, h.apiVersion) as { mechanism: string };
        log.push({ socket: id, what: 'SaslHandshake' });
        authenticated = false;
        auth = new SaslAuthenticator({ enabled: ['SCRAM-SHA-512'], fakeSaltKey: Buffer.alloc(32, 1), lookup: async (u) => credentials.get(u) ?? null });
        let errorCode = 0;
        try { auth.handshake(req.mechanism); } catch (err) { errorCode = errorCodeOf((err as MqError).code); }
        reply(h.correlationId, spec.response.toBuffer({ errorCode, mechanisms: ['SCRAM-SHA-512'] }, h.apiVersion));
      } else if (h.apiKey === ApiKey.SaslAuthenticate) {
        const spec = apiSpec(h.apiKey)!;
        const req = spec.request.decode(r, h.apiVersion) as { authBytes: Buffer };
        log.push({ socket: id, what: 'SaslAuthenticate' });
        let res;
        try {
          const authBytes = await auth!.authenticate(req.authBytes);
          if (auth!.principal !== null) authenticated = true;
          res = { errorCode: 0, errorMessage: null, authBytes, sessionLifetimeMs: authenticated ? BigInt(opts.sasl!.lifetimeMs) : 0n };
        } catch (err) {
          res = { errorCode: errorCodeOf((err as MqError).code), errorMessage: (err as Error).message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
        }
        reply(h.correlationId, spec.response.toBuffer(res, h.apiVersion));
      } else if (h.apiKey === ECHO_KEY) {
        const { n } = Echo.decode(r, h.apiVersion);
        log.push({ socket: id, what: authenticated ? 'Echo' : 'Echo-unauthenticated' });
        if (!authenticated) { socket.destroy(); return; } // as a SASL listener does
        reply(h.correlationId, Echo.toBuffer({ n }, h.apiVersion));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try { frames = decoder.push(chunk); } catch { socket.destroy(); return; } // garbage: close, as a broker does
      for (const frame of frames) chain = chain.then(() => handle(frame));
    });
  };
  const server = opts.tls ? tls.createServer(opts.tls, onSocket) : net.createServer(onSocket);
  if (opts.tls) server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, log,
    close: async (): Promise<void> => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function echo(security: ClientSecurity | undefined, port: number, host = '127.0.0.1'): Promise<number> {
  const conn = new Connection({ host, port, schemas, security, connectTimeoutMs: 3000, requestTimeoutMs: 3000 });
  try {
    return (await conn.request<{ n: number }>(ECHO_KEY, 0, { n: 7 })).n;
  } finally {
    await conn.close();
  }
}

const ssl = (t: Partial<ClientTls>): ClientSecurity => ({ protocol: 'SSL', tls: { verifyCertificate: true, verifyHostname: true, ...t } });

describe('Connection over TLS', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ca: CertFiles; let otherCa: CertFiles; let server: CertFiles; let wrongName: CertFiles; let client: CertFiles; let lockedClient: CertFiles;
  before(async () => {
    dir = await tempDir('mq-client-tls-');
    ca = await makeCa(dir.path);
    await mkdir(join(dir.path, 'other'));
    otherCa = await makeCa(join(dir.path, 'other'), 'another CA');
    server = await makeServerCert(dir.path, ca);
    wrongName = await makeCert(dir.path, ca, 'elsewhere', { subject: '/CN=elsewhere.example', san: ['DNS:elsewhere.example'] });
    client = await makeCert(dir.path, ca, 'client', { subject: '/CN=alice' });
    lockedClient = await makeCert(dir.path, ca, 'locked', { subject: '/CN=bob', keyPassword: 'k3y-pass' });
  });
  after(() => dir.remove());
  const tlsServer = (cert: CertFiles, extra: tls.TlsOptions = {}) => fakeBroker({ tls: { cert: readFileSync(cert.cert), key: readFileSync(cert.key), ...extra } });

  test('ssl.ca.location trusts the broker; requests flow', async () => {
    const b = await tlsServer(server);
    after(() => b.close());
    assert.equal(await echo(ssl({ caLocation: ca.cert }), b.port), 7);
    assert.equal(await echo(ssl({ caLocation: ca.cert }), b.port, 'localhost'), 7);
  });

  test('a certificate from another CA is refused, fatally, naming ssl.ca.location; verification off accepts it', async () => {
    const b = await tlsServer(server);
    after(() => b.close());
    await assert.rejects(echo(ssl({ caLocation: otherCa.cert }), b.port), (err: MqError) => {
      assert.match(err.message, /^TLS: the broker's certificate at 127\.0\.0\.1:\d+ is not signed by a CA in ssl\.ca\.location \(.*ca\.pem\)/);
      assert.equal(err.retriable, false);
      return true;
    });
    await assert.rejects(echo(ssl({}), b.port), /not signed by a CA in ssl\.ca\.location \(not set/);
    assert.equal(await echo(ssl({ caLocation: otherCa.cert, verifyCertificate: false }), b.port), 7);
  });

  test('a certificate for another host is refused unless ssl.endpoint.identification.algorithm=none', async () => {
    const b = await tlsServer(wrongName);
    after(() => b.close());
    await assert.rejects(echo(ssl({ caLocation: ca.cert }), b.port), (err: MqError) => {
      assert.match(err.message, /^hostname 127\.0\.0\.1 is not in the broker's certificate at 127\.0\.0\.1:\d+ \(set ssl\.endpoint\.identification\.algorithm=none to skip the check\)/);
      assert.equal(err.retriable, false);
      return true;
    });
    assert.equal(await echo(ssl({ caLocation: ca.cert, verifyHostname: false }), b.port), 7);
  });

  test('mTLS: the client certificate (also with an encrypted key) is presented; none is refused by name', async () => {
    const b = await tlsServer(server, { requestCert: true, rejectUnauthorized: true, ca: readFileSync(ca.cert) });
    after(() => b.close());
    assert.equal(await echo(ssl({ caLocation: ca.cert, certificateLocation: client.cert, keyLocation: client.key }), b.port), 7);
    assert.equal(await echo(ssl({ caLocation: ca.cert, certificateLocation: lockedClient.cert, keyLocation: lockedClient.key, keyPassword: 'k3y-pass' }), b.port), 7);
    await assert.rejects(echo(ssl({ caLocation: ca.cert }), b.port), (err: MqError) => /^TLS: the broker at 127\.0\.0\.1:\d+ requires a client certificate$/.test(err.message));
    assert.throws(() => new Connection({ host: '127.0.0.1', port: b.port, security: ssl({ caLocation: ca.cert, certificateLocation: lockedClient.cert, keyLocation: lockedClient.key, keyPassword: 'wrong' }) }),
      (err: MqError) => err.code === 'INVALID_CONFIG' && /wrong ssl\.key\.password/.test(err.message) && !err.message.includes('wrong'.repeat(2)));
    assert.throws(() => new Connection({ host: '127.0.0.1', port: b.port, security: ssl({ caLocation: `${dir.path}/missing.pem` }) }), /cannot read ssl\.ca\.location .*missing\.pem: no such file/);
  });

  test('TLS to a plaintext listener says security.protocol may be wrong', async () => {
    const b = await fakeBroker({});
    after(() => b.close());
    await assert.rejects(echo(ssl({ caLocation: ca.cert }), b.port), /is security\.protocol right for this listener/);
  });
});

describe('Connection with SASL', () => {
  const scram = (password: string, protocol: 'SASL_PLAINTEXT' | 'SASL_SSL' = 'SASL_PLAINTEXT'): ClientSecurity => ({ protocol, sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password } });

  test('authenticates before the first request; a wrong password is fatal and named', async () => {
    const b = await fakeBroker({ sasl: { lifetimeMs: 0 } });
    after(() => b.close());
    assert.equal(await echo(scram('a-secret'), b.port), 7);
    assert.deepEqual(b.log.map((e) => e.what), ['ApiVersions', 'SaslHandshake', 'SaslAuthenticate', 'SaslAuthenticate', 'Echo']);
    await assert.rejects(echo(scram('nope'), b.port), (err: MqError) => {
      assert.equal(err.message, `authentication failed for user alice (SCRAM-SHA-512) at 127.0.0.1:${b.port}: check sasl.username / sasl.password`);
      assert.equal(err.retriable, false);
      return true;
    });
  });

  test('a plaintext client on a SASL listener is told to check security.protocol', async () => {
    const b = await fakeBroker({ sasl: { lifetimeMs: 0 } });
    after(() => b.close());
    const conn = new Connection({ host: '127.0.0.1', port: b.port, schemas });
    after(() => conn.close());
    await conn.request(ApiKey.ApiVersions, 0, {});
    await assert.rejects(conn.request(ECHO_KEY, 0, { n: 1 }), /closed the connection before answering the first request: if this listener uses SASL or TLS, set security\.protocol/);
  });

  test('a plaintext client on a TLS listener is told the same', async () => {
    const dir = await tempDir('mq-client-plain-tls-');
    after(() => dir.remove());
    const ca = await makeCa(dir.path);
    const cert = await makeServerCert(dir.path, ca);
    const b = await fakeBroker({ tls: { cert: readFileSync(cert.cert), key: readFileSync(cert.key) } });
    after(() => b.close());
    await assert.rejects(echo(undefined, b.port), /closed the connection before answering the first request: if this listener uses SASL or TLS, set security\.protocol/);
  });

  test('a SASL client on a TLS listener hears that the broker closed the connection during SASL', async () => {
    const dir = await tempDir('mq-client-sasl-tls-');
    after(() => dir.remove());
    const ca = await makeCa(dir.path);
    const cert = await makeServerCert(dir.path, ca);
    const b = await fakeBroker({ tls: { cert: readFileSync(cert.cert), key: readFileSync(cert.key) } });
    after(() => b.close());
    await assert.rejects(echo(scram('a-secret'), b.port), /the broker at 127\.0\.0\.1:\d+ closed the connection during SASL: is security\.protocol right for this listener\?/);
  });

  test('re-authenticates on the same socket before the session ends, holding requests meanwhile (KIP-368)', async () => {
    const b = await fakeBroker({ sasl: { lifetimeMs: 200 } });
    after(() => b.close());
    const conn = new Connection({ host: '127.0.0.1', port: b.port, schemas, security: scram('a-secret') });
    after(() => conn.close());
    let answered = 0;
    // Requests keep flowing until the broker has seen three handshakes on this one socket.
    while (b.log.filter((e) => e.what === 'SaslHandshake').length < 3) {
      assert.equal((await conn.request<{ n: number }>(ECHO_KEY, 0, { n: answered })).n, answered);
      answered++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(b.log.every((e) => e.socket === 0), 'one socket');
    assert.ok(!b.log.some((e) => e.what === 'Echo-unauthenticated'), 'no request between a handshake and its completion');
    assert.equal(conn.closed, false);
  });
});
