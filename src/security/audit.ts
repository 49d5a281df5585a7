// The security audit trail: one log line per denied operation (principal, client address, resource,
// operation, API) and per failed authentication (principal or user name, address, mechanism, why).
// Rate-limited per principal so a client retrying a refused request in a loop cannot flood the log: at
// most `linesPerSecond` lines per principal in each one-second window; the first line after a window
// that dropped lines carries `suppressed: K`, the number dropped. The clock is injectable for tests.
import type { Logger } from '../util/logger.js';

export interface AuditOptions {
  /** Lines per principal per second before lines are counted instead of written. */
  linesPerSecond?: number;
  nowMs?: () => number;
}

export interface DeniedOperation {
  principal: string;
  /** The client's address. */
  host: string;
  resourceType: string;
  resourceName: string;
  operation: string;
  /** The API's name (Produce, Fetch, ...). */
  api: string;
}

export interface FailedAuthentication {
  /** The principal or user name the client claimed ("User:alice"), or "unknown" before it said. */
  principal: string;
  host: string;
  mechanism: string;
  /** What was wrong ("wrong password", "unknown user", ...). */
  reason: string;
}

interface Window { startMs: number; written: number; suppressed: number }

/** At most this many principals are tracked; past it the oldest windows are forgotten. */
const MAX_TRACKED = 10_000;

export class AuditLog {
  private readonly windows = new Map<string, Window>();
  private readonly linesPerSecond: number;
  private readonly nowMs: () => number;

  constructor(private readonly logger: Logger, opts: AuditOptions = {}) {
    this.linesPerSecond = opts.linesPerSecond ?? 5;
    this.nowMs = opts.nowMs ?? Date.now;
  }

  /** A request (or one resource in it) the authorizer refused. */
  denied(d: DeniedOperation): void {
    this.write(`denied\0${d.principal}`, 'authorization denied', {
      principal: d.principal, host: d.host, resource: `${d.resourceType}:${d.resourceName}`, operation: d.operation, api: d.api,
    });
  }

  /** A SASL or TLS authentication that failed. */
  authenticationFailed(f: FailedAuthentication): void {
    this.write(`auth\0${f.principal}`, 'authentication failed', { principal: f.principal, host: f.host, mechanism: f.mechanism, reason: f.reason });
  }

  private write(key: string, message: string, fields: Record<string, unknown>): void {
    const now = this.nowMs();
    let w = this.windows.get(key);
    if (!w || now - w.startMs >= 1000) {
      const suppressed = w?.suppressed ?? 0;
      if (!w && this.windows.size >= MAX_TRACKED) this.windows.delete(this.windows.keys().next().value!);
      w = { startMs: now, written: 0, suppressed: 0 };
      this.windows.delete(key);
      this.windows.set(key, w);
      if (suppressed > 0) fields = { ...fields, suppressed };
    }
    if (w.written >= this.linesPerSecond) {
      w.suppressed++;
      return;
    }
    w.written++;
    this.logger.warn(message, fields);
  }
}
