// One signal for a bench run: aborts when the caller's signal does or when `timeoutMs` passes, and
// says which happened (a timeout still reports what was done; an abort by the user too).

export interface BenchSignal { signal: AbortSignal; timedOut(): boolean; dispose(): void }

export function benchSignal(timeoutMs: number, outer?: AbortSignal): BenchSignal {
  const ac = new AbortController();
  let expired = false;
  const timer = setTimeout(() => { expired = true; ac.abort(new Error(`timed out after ${timeoutMs} ms`)); }, timeoutMs);
  const onOuter = (): void => ac.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: ac.signal,
    timedOut: () => expired,
    dispose: () => { clearTimeout(timer); outer?.removeEventListener('abort', onOuter); },
  };
}
