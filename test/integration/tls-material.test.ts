// TLS material with real openssl certificates and real TLS sockets on 127.0.0.1: a listener's files
// load and serve, a renewed certificate is served to new connections without a restart, a half-replaced
// pair keeps the old one in service, client certificates are required and mapped to Kafka's principal,
// and an encrypted key needs its password.
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadTlsOptions, principalOfCertificate, watchTlsFiles, type TlsSettings } from '../../src/security/tls-material.js';
import { makeCa, makeCert, makeServerCert } from '../helpers/tls-certs.js';
import { tempDirFor } from '../helpers/temp-dir.js';

/** Connects and resolves with the server certificate's serial and whether the handshake was authorized. */
function handshake(port: number, opts: { ca: string; cert?: string; key?: string }): Promise<{ serial: number; error: Error | null }> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({
      host: '127.0.0.1', port, ca: readFileSync(opts.ca),
      cert: opts.cert ? readFileSync(opts.cert) : undefined, key: opts.key ? readFileSync(opts.key) : undefined,
    });
    socket.once('secureConnect', () => {
      const serial = parseInt(socket.getPeerX509Certificate()!.serialNumber, 16);
      // With TLS 1.3 the server's refusal of a client certificate arrives after the handshake: wait a moment for it.
      socket.once('error', (error) => resolve({ serial, error }));
      socket.once('data', () => undefined);
      setTimeout(() => { socket.destroy(); resolve({ serial, error: null }); }, 300);
    });
    socket.once('error', (error) => resolve({ serial: -1, error }));
  });
}

describe('TLS material', () => {
  test('serves, reloads a renewed certificate without a restart, keeps the old one when a pair is half-replaced, maps client certificates', async (t) => {
    const dir = await tempDirFor(t);
    const ca = await makeCa(dir);
    const server = await makeServerCert(dir, ca, 'server', { serial: 1 });
    const client = await makeCert(dir, ca, 'alice', { subject: '/O=acme, inc/OU=eng/CN=alice' });
    const settings: TlsSettings = { certificateLocation: server.cert, keyLocation: server.key, caLocation: ca.cert, clientAuth: 'required' };
    const principals: string[] = [];
    const tlsServer = createServer(await loadTlsOptions(settings), (socket) => {
      principals.push(principalOfCertificate(socket.getPeerX509Certificate()!));
      socket.end('hello');
    });
    tlsServer.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => tlsServer.close(() => resolve())));
    const port = (tlsServer.address() as { port: number }).port;
    const errors: Error[] = [];
    const watcher = watchTlsFiles(settings, (o) => tlsServer.setSecureContext(o), (e) => errors.push(e), 50);
    t.after(() => watcher.close());

    const first = await handshake(port, { ca: ca.cert, cert: client.cert, key: client.key });
    assert.deepEqual([first.serial, first.error], [1, null]);
    assert.deepEqual(principals, ['User:CN=alice,OU=eng,O=acme\\, inc']);

    const refused = await handshake(port, { ca: ca.cert });
    assert.ok(refused.error !== null, 'a client without a certificate is refused (ssl.client.auth=required)');

    await makeServerCert(dir, ca, 'server', { serial: 2 }); // renewed in place
    let serial = 1;
    for (let i = 0; i < 200 && serial !== 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      serial = (await handshake(port, { ca: ca.cert, cert: client.cert, key: client.key })).serial;
    }
    assert.equal(serial, 2, 'the renewed certificate is served to new connections');

    const other = await makeServerCert(dir, ca, 'other', { serial: 3 });
    await copyFile(other.key, server.key); // only the key replaced: it no longer matches the certificate
    for (let i = 0; i < 200 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(errors[0]?.message ?? '', /TLS material does not load/);
    assert.equal((await handshake(port, { ca: ca.cert, cert: client.cert, key: client.key })).serial, 2, 'the previous pair stays in service');
  });

  test('an encrypted key needs ssl.key.password; unreadable files are named', async (t) => {
    const dir = await tempDirFor(t);
    const ca = await makeCa(dir);
    const server = await makeServerCert(dir, ca, 'server', { keyPassword: 'k-pass' });
    const base = { certificateLocation: server.cert, keyLocation: server.key, clientAuth: 'none' as const };
    await assert.rejects(loadTlsOptions(base), /TLS material does not load/);
    await assert.rejects(loadTlsOptions({ ...base, keyPassword: 'wrong' }), /TLS material does not load/);
    const ok = await loadTlsOptions({ ...base, keyPassword: 'k-pass' });
    assert.equal(ok.requestCert, false);
    await assert.rejects(loadTlsOptions({ ...base, certificateLocation: join(dir, 'missing.pem') }), /ssl.certificate.location .*missing.pem cannot be read: ENOENT/);
  });
});
