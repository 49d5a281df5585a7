// The one subscription of the Ink app: reads the TopSource until unmount and folds each snapshot into
// the History. A failing source is shown in the UI, never swallowed.
import { useEffect, useState } from 'react';
import { emptyHistory, reduceHistory, type History } from './history.js';
import type { TopSource } from './source.js';

export function useSnapshots(source: TopSource, windowSize = 120): { history: History; error: string | null } {
  const [history, setHistory] = useState<History>(() => emptyHistory(windowSize));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    void (async () => {
      try {
        for await (const snap of source.snapshots(ac.signal)) setHistory((h) => reduceHistory(h, snap));
      } catch (err) {
        if (!ac.signal.aborted) setError((err as Error).message ?? String(err));
      }
    })();
    return () => ac.abort();
  }, [source]);
  return { history, error };
}
