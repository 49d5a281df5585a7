// The admin HTTP endpoint (`--admin-listen`, default 127.0.0.1:9644):
//   GET /metrics         Prometheus text format
//   GET /v1/status       this broker: identity, totals, request latencies, process (JSON)
//   GET /v1/partitions   every partition replica here with offsets, sizes and counters (JSON)
//   GET /v1/groups       groups coordinated here with committed offsets and lag (JSON)
// Read-only; anything else is 404 (405 for other methods).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostPort } from '../config/config.js';
import { MqError } from '../util/mq-error.js';
import type { AdminViews } from './views.js';
import { renderPrometheus } from './prometheus-text.js';

export class AdminServer {
  private readonly server: http.Server;

  constructor(private readonly broker: AdminViews) {
    this.server = http.createServer((req, res) => {
      this.route(req.method ?? 'GET', (req.url ?? '/').split('?')[0]).then(
        ({ status, type, body }) => {
          res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        (err: Error) => {
          this.broker.logger.error('admin request failed', { url: req.url, error: err.stack ?? String(err) });
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error\n');
        },
      );
    });
    this.server.keepAliveTimeout = 5000;
  }

  /** Binds; a busy port is an MqError LISTEN_FAILED naming the flag to change. */
  listen(at: HostPort): Promise<HostPort> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new MqError('LISTEN_FAILED', `cannot listen for admin requests on ${at.host}:${at.port}: ${err.code ?? err.message}`, {
          hint: err.code === 'EADDRINUSE'
            ? 'Another process (another broker?) uses that port; pass --admin-listen HOST:PORT (port 0 picks a free one) or --admin-listen none.'
            : undefined,
          cause: err,
        }));
      };
      this.server.once('error', onError);
      this.server.listen(at.port, at.host, () => {
        this.server.off('error', onError);
        const addr = this.server.address() as AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
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
