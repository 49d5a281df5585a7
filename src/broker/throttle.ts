// Quota enforcement per answered request, as Kafka does it (KIP-219): the request's usage is counted
// against the quotas that cover its client, the response carries the throttle in throttle_time_ms, and
// the connection is not read for that long after the response is sent (the client sees why it waits).
//
// What is counted (src/security/quota.ts resolves which quota applies, src/broker/quota-manager.ts
// keeps the rates):
//   producer_byte_rate   a Produce request's size in bytes (acks=0 too: it gets no answer, only the hold)
//   consumer_byte_rate   a consumer Fetch response's record bytes (followers are not client traffic)
//   request_percentage   the event loop's time in the request's handler until its first wait (where
//                        Produce validates batches and CRCs); waits (disk, replication, a Fetch's long
//                        poll) are not counted. mq's broker is one event loop: 100 means all of its time.
// A request over several quotas is held for the longest throttle. The user is the principal's name
// ("User:alice" -> "alice"; "ANONYMOUS" before authentication), the client-id the request header's.
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import { ApiKey } from '../protocol/api.js';
import type { QuotaManager } from './quota-manager.js';

export interface QuotaUse {
  apiKey: number;
  principal: string;
  clientId: string | null;
  request: unknown;
  response: unknown;
  requestBytes: number;
  /** Event-loop milliseconds spent on the request. */
  loopMs: number;
}

/**
 * Counts one request against the quotas covering its client; returns how long to hold the connection
 * (0 when under every quota) and sets the response's throttleTimeMs to it when over.
 */
export function quotaThrottleMs(quotas: QuotaManager, metrics: BrokerMetrics | undefined, use: QuotaUse, nowMs: number): number {
  const user = use.principal.startsWith('User:') ? use.principal.slice(5) : use.principal;
  const clientId = use.clientId ?? '';
  let produceMs = 0;
  let fetchMs = 0;
  if (use.apiKey === ApiKey.Produce) {
    produceMs = quotas.record(user, clientId, 'producer_byte_rate', use.requestBytes, nowMs);
  } else if (use.apiKey === ApiKey.Fetch) {
    if ((use.request as { replicaId: number }).replicaId >= 0) return 0;
    fetchMs = quotas.record(user, clientId, 'consumer_byte_rate', fetchedBytes(use.response), nowMs);
  }
  const requestMs = quotas.record(user, clientId, 'request_percentage', use.loopMs, nowMs);
  const throttleMs = Math.max(produceMs, fetchMs, requestMs);
  if (throttleMs === 0) return 0;
  if (metrics) {
    const t = metrics.quotaThrottleMs;
    t.produce += produceMs;
    t.fetch += fetchMs;
    t.request += requestMs;
  }
  const response = use.response as { throttleTimeMs?: number } | null;
  if (response !== null && typeof response === 'object' && typeof response.throttleTimeMs === 'number') {
    response.throttleTimeMs = Math.max(response.throttleTimeMs, throttleMs);
  }
  return throttleMs;
}

/** Record bytes in a Fetch response (what consumer_byte_rate counts). */
function fetchedBytes(response: unknown): number {
  const r = response as { responses?: { partitions: { records: Buffer | Buffer[] | null }[] }[] } | null;
  let bytes = 0;
  for (const t of r?.responses ?? []) {
    for (const p of t.partitions) {
      if (p.records === null) continue;
      if (Array.isArray(p.records)) for (const b of p.records) bytes += b.length;
      else bytes += p.records.length;
    }
  }
  return bytes;
}

/** A connection's hold: one timer at a time, ended early by release() (the connection closes). */
export class ConnectionHold {
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;

  /** Resolves after `ms`, or at once when released. */
  wait(ms: number): Promise<void> {
    this.release();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => this.release(), ms);
    });
  }

  release(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
