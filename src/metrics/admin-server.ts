// The admin HTTP endpoint (`--admin-listen`, default 127.0.0.1:9644):
//   GET /metrics         Prometheus text format
//   GET /v1/status       this broker: identity, totals, request latencies, process (JSON)
//   GET /v1/partitions   every partition replica here with offsets, sizes and counters (JSON)
//   GET /v1/groups       groups coordinated here with committed offsets and lag (JSON)
//   POST /v1/token       with admin.auth=token: a bearer token for the HTTP Basic user (admin-auth.ts)
// Read-only otherwise; anything else is 404 (405 for other methods). Who may ask is admin-auth.ts's
// call. With a certificate and key (the broker's ssl.certificate.location / ssl.key.location) it serves
// HTTPS, and picks up renewed files as the Kafka listeners do (tls-material.ts watchTlsFiles).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { HostPort } from '../config/config.js';
import { MqError } from '../util/mq-error.js';
import { loadTlsOptions, watchTlsFiles, type TlsSettings } from '../security/tls-material.js';
import type { AdminViews } from './views.js';
import { renderPrometheus } from './prometheus-text.js';
import type { AdminAuth } from './admin-auth.js';

export interface AdminServerOptions {
  /** Credentials to ask for (absent: admin.auth=none). */
  auth?: AdminAuth;
  /** Serve HTTPS with these files. */
  tls?: TlsSettings;
}

type Answer = { status: number; type: string; body: string; headers?: Record<string, string> };

export class AdminServer {
  private server: http.Server | https.Server | null = null;
  private tlsWatch: { close(): void } | null = null;

  constructor(private readonly broker: AdminViews, private readonly opts: AdminServerOptions = {}) {}

  /** Whether it serves https:// (known once listening). */
  get scheme(): 'http' | 'https' { return this.opts.tls ? 'https' : 'http'; }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.answer(req).then(
      ({ status, type, body, headers }) => {
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: Error) => {
        this.broker.logger.error('admin request failed', { url: req.url, error: err.stack ?? String(err) });
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      },
    );
  }

  private async answer(req: http.IncomingMessage): Promise<Answer> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    const auth = this.opts.auth;
    if (auth) {
      const verdict = await auth.check(path, req.headers);
      if (!verdict.ok) return { status: verdict.status, type: 'text/plain', body: verdict.body, headers: verdict.headers };
    }
    if (path === '/v1/token') {
      if (auth?.mode !== 'token') return { status: 404, type: 'text/plain', body: 'tokens are issued only with admin.auth=token\n' };
      if (method !== 'POST') return { status: 405, type: 'text/plain', body: 'POST /v1/token with HTTP Basic credentials\n' };
      const token = await auth.mint(req.headers);
      return token === null
        ? { status: 401, type: 'text/plain', body: 'authentication required\n', headers: { 'www-authenticate': 'Basic realm="mq admin", charset="UTF-8"' } }
        : { status: 200, type: 'application/json', body: JSON.stringify({ token, type: 'Bearer' }) + '\n' };
    }
    return this.route(method, path);
  }

  /** Binds; a busy port is an MqError LISTEN_FAILED naming the flag to change. */
  async listen(at: HostPort): Promise<HostPort> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    let server: http.Server | https.Server;
    const tls = this.opts.tls;
    if (tls) {
      const s = https.createServer(await loadTlsOptions(tls), handler);
      this.tlsWatch = watchTlsFiles(tls, (o) => s.setSecureContext(o), (err) => {
        this.broker.logger.warn('admin endpoint: new TLS files do not load; still serving the previous ones', { error: err.message });
      });
      server = s;
    } else {
      server = http.createServer(handler);
    }
    server.keepAliveTimeout = 5000;
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new MqError('LISTEN_FAILED', `cannot listen for admin requests on ${at.host}:${at.port}: ${err.code ?? err.message}`, {
          hint: err.code === 'EADDRINUSE'
            ? 'Another process (another broker?) uses that port; pass --admin-listen HOST:PORT (port 0 picks a free one) or --admin-listen none.'
            : undefined,
          cause: err,
        }));
      };
      server.once('error', onError);
      server.listen(at.port, at.host, () => {
        server.off('error', onError);
        const addr = server.address() as AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  close(): Promise<void> {
    this.tlsWatch?.close();
    const server = this.server;
    if (server === null) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async route(method: string, path: string): Promise<{ status: number; type: string; body: string }> {
    const json = (v: unknown): { status: number; type: string; body: string } => ({ status: 200, type: 'application/json', body: JSON.stringify(v) + '\n' });
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, type: 'text/plain', body: 'only GET\n' };
    const b = this.broker;
    switch (path) {
      case '/metrics': {
        const partitions = b.partitions();
        const status = await b.status(partitions);
        const groups = b.groups();
        return {
          status: 200,
          type: 'text/plain; version=0.0.4; charset=utf-8',
          body: renderPrometheus({ status, partitions, groups, metrics: b.metrics, apiName: b.apiName }),
        };
      }
      case '/v1/status': return json(await b.status());
      case '/v1/partitions': return json(b.partitions());
      case '/v1/groups': return json(b.groups());
      default: return { status: 404, type: 'text/plain', body: 'not found; try /metrics, /v1/status, /v1/partitions, /v1/groups\n' };
    }
  }
}
