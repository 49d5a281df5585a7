// The entry point commands/top.ts loads with a dynamic import(), so Ink, React and blessed are only
// loaded by `mq top`. One renderer per process: the Ink dashboard, the blessed charts, or one
// snapshot printed as tables or JSON.
import { render } from 'ink';
import { App, type ViewName } from './app.js';
import { emptyHistory, reduceHistory } from './history.js';
import { brokerTable, groupPartitionTable, groupTable, topicTable, partitionTable, type Table } from './rows.js';
import type { ClusterSnapshot, TopSource } from './source.js';

export { adminSource } from './admin-source.js';
export { fixtureSource } from './source.js';
export type { ClusterSnapshot, TopSource } from './source.js';

export interface DashboardOptions {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  signal: AbortSignal;
  initialView?: ViewName;
}

/** Runs the Ink dashboard until q, Ctrl-C or `signal`. */
export async function runDashboard(source: TopSource, opts: DashboardOptions): Promise<void> {
  const maxRows = Math.max(3, (opts.stdout.rows ?? 24) - 9);
  const instance = render(<App source={source} initialView={opts.initialView} maxRows={maxRows} />, {
    stdout: opts.stdout, stdin: opts.stdin, exitOnCtrlC: true, patchConsole: false,
  });
  const onAbort = (): void => instance.unmount();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await instance.waitUntilExit();
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    instance.cleanup();
  }
}

export async function runChartsScreen(source: TopSource, opts: { topic?: string; group?: string; signal: AbortSignal; intervalMs: number }): Promise<void> {
  const { runCharts } = await import('./charts/charts-screen.js');
  await runCharts(source, opts);
}

/** The first snapshot of `source` (null if it ends or `signal` aborts first). */
export async function firstSnapshot(source: TopSource, signal: AbortSignal): Promise<ClusterSnapshot | null> {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const snap of source.snapshots(ac.signal)) return snap;
    return null;
  } finally {
    signal.removeEventListener('abort', onAbort);
    ac.abort();
  }
}

const RATE_COLUMNS = new Set(['IN', 'OUT', 'IN TREND', 'LAG TREND']);

function withoutRates(t: Table): Table {
  const keep = t.headers.map((h) => !RATE_COLUMNS.has(h));
  return { ...t, headers: t.headers.filter((_, i) => keep[i]), rows: t.rows.map((r) => r.filter((_, i) => keep[i])) };
}

/** One snapshot as titled tables (rates need two snapshots, so they are left out). */
export function snapshotTables(snap: ClusterSnapshot): { title: string; table: Table }[] {
  const h = reduceHistory(emptyHistory(1), snap);
  const out = [{ title: 'Brokers', table: withoutRates(brokerTable(h)) }, { title: 'Topics', table: withoutRates(topicTable(h)) }];
  for (const topic of new Set(snap.partitions.map((p) => p.topic))) out.push({ title: `Topic ${topic}`, table: withoutRates(partitionTable(h, topic)) });
  out.push({ title: 'Groups', table: withoutRates(groupTable(h)) });
  for (const g of snap.groups) out.push({ title: `Group ${g.groupId}`, table: withoutRates(groupPartitionTable(h, g.groupId)) });
  return out;
}
