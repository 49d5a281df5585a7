// Exponential backoff with full jitter, as retries use it everywhere.
export interface BackoffOptions { initialMs?: number; maxMs?: number; factor?: number }

/** Delay before attempt `attempt` (0-based). */
export function backoffMs(attempt: number, opts: BackoffOptions = {}): number {
  const initial = opts.initialMs ?? 100;
  const max = opts.maxMs ?? 5000;
  const factor = opts.factor ?? 2;
  const ceiling = Math.min(max, initial * factor ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
