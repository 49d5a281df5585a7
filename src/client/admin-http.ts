// The client side of the brokers' admin HTTP endpoints (/v1/*, /metrics), for `mq top` and
// `mq reassign status`: http:// or, when the security settings carry TLS, https:// with their CA; and
// with a SASL user and password, the credentials the endpoint asks for (admin.auth): HTTP Basic, or for
// admin.auth=token a bearer token fetched once per endpoint from POST /v1/token and reused.
// The settings are a command's ClientSecurity (-X / --command-config / MQ_*: the same security.protocol,
// sasl.username, sasl.password and ssl.ca.location its Kafka connections use): https:// when the
// protocol is SSL or SASL_SSL, credentials when it carries a SASL user.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { ClientSecurity } from './security-options.js';

export interface AdminHttpAnswer { status: number; body: string; headers: http.IncomingHttpHeaders }

export class AdminHttpClient {
  private readonly tokens = new Map<string, string>();
  private ca: Buffer | undefined;

  constructor(private readonly security?: ClientSecurity) {}

  /** https:// when the settings ask for TLS (security.protocol SSL or SASL_SSL, or ssl.* files given). */
  get scheme(): 'http' | 'https' {
    const s = this.security;
    return s !== undefined && (s.protocol === 'SSL' || s.protocol === 'SASL_SSL') ? 'https' : 'http';
  }

  /** GET `path` from `hostPort` as JSON; a status other than 200 is an error naming it. */
  async getJson<T>(hostPort: string, path: string, timeoutMs: number): Promise<T> {
    const res = await this.get(hostPort, path, timeoutMs);
    if (res.status !== 200) {
      const why = res.status === 401 ? (this.security?.sasl ? ' (wrong user or password?)' : ' (the endpoint wants credentials: -X security.protocol=sasl_plaintext|sasl_ssl -X sasl.username=USER -X sasl.password=PASS)') : '';
      throw new Error(`${path}: HTTP ${res.status}${why}`);
    }
    return JSON.parse(res.body) as T;
  }

  /** GET with whatever credentials the endpoint wants. */
  async get(hostPort: string, path: string, timeoutMs: number): Promise<AdminHttpAnswer> {
    const sasl = this.security?.sasl;
    const token = this.tokens.get(hostPort);
    const first = await this.request('GET', hostPort, path, timeoutMs, token !== undefined ? `Bearer ${token}` : this.basic());
    if (first.status !== 401 || sasl === undefined) return first;
    const wants = String(first.headers['www-authenticate'] ?? '');
    if (!/^Bearer/i.test(wants)) return first;
    this.tokens.delete(hostPort);
    const minted = await this.request('POST', hostPort, '/v1/token', timeoutMs, this.basic());
    if (minted.status !== 200) return minted;
    const fresh = (JSON.parse(minted.body) as { token: string }).token;
    this.tokens.set(hostPort, fresh);
    return this.request('GET', hostPort, path, timeoutMs, `Bearer ${fresh}`);
  }

  private basic(): string | undefined {
    const sasl = this.security?.sasl;
    return sasl ? `Basic ${Buffer.from(`${sasl.username}:${sasl.password}`).toString('base64')}` : undefined;
  }

  private request(method: string, hostPort: string, path: string, timeoutMs: number, authorization: string | undefined): Promise<AdminHttpAnswer> {
    const at = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number(hostPort.slice(at + 1));
    const tls = this.security?.tls;
    const options: https.RequestOptions = {
      method, host, port, path,
      headers: authorization === undefined ? {} : { authorization },
      signal: AbortSignal.timeout(timeoutMs),
    };
    if (this.scheme === 'https') {
      if (tls?.caLocation !== undefined) options.ca = (this.ca ??= readFileSync(tls.caLocation));
      options.rejectUnauthorized = tls?.verifyCertificate ?? true;
      if (tls?.verifyHostname === false) options.checkServerIdentity = () => undefined;
    }
    const lib = this.scheme === 'https' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }
}
