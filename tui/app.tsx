// The `mq top` dashboard: a header with the views and cluster throughput, one table, a footer with
// key hints. Keys: 1/b Brokers, 2/t Topics, 3/g Groups (Tab cycles), "/" filter (Enter keeps it, Esc
// clears it), arrows select, Enter drills into a topic or group, Esc goes back, q quits.
import { Box, Text, useApp, useInput, type Key } from 'ink';
import { useRef, useState } from 'react';
import { formatBytes } from '../src/util/units.js';
import type { History } from './history.js';
import { brokerTable, filterTable, groupPartitionTable, groupTable, partitionTable, topicTable, type Table } from './rows.js';
import type { TopSource } from './source.js';
import { sparkline } from './sparkline.js';
import { useSnapshots } from './use-snapshots.js';
import { TableView } from './views/table-view.js';

export type ViewName = 'brokers' | 'topics' | 'groups';
const VIEWS: { name: ViewName; key: string; title: string }[] = [
  { name: 'brokers', key: '1', title: 'Brokers' },
  { name: 'topics', key: '2', title: 'Topics' },
  { name: 'groups', key: '3', title: 'Groups' },
];

interface UiState { view: ViewName; filter: string; editing: boolean; selected: number; drill: string | null }

export interface AppProps {
  source: TopSource;
  initialView?: ViewName;
  windowSize?: number;
  /** Rows of the table at most (the terminal height minus header and footer). */
  maxRows?: number;
}

function tableFor(h: History, view: ViewName, drill: string | null): Table {
  if (view === 'brokers') return brokerTable(h);
  if (view === 'topics') return drill ? partitionTable(h, drill) : topicTable(h);
  return drill ? groupPartitionTable(h, drill) : groupTable(h);
}

export function App({ source, initialView = 'brokers', windowSize = 120, maxRows }: AppProps) {
  const { history, error } = useSnapshots(source, windowSize);
  // Keys can arrive faster than renders, so the key handler works on a ref holding the latest UI
  // state (never on a stale closure) and then renders it.
  const [ui, setUiState] = useState<UiState>({ view: initialView, filter: '', editing: false, selected: 0, drill: null });
  const uiRef = useRef(ui);
  const historyRef = useRef(history);
  historyRef.current = history;
  const { exit } = useApp();
  const setUi = (patch: Partial<UiState>): void => { uiRef.current = { ...uiRef.current, ...patch }; setUiState(uiRef.current); };
  const tableOf = (u: UiState): Table => filterTable(tableFor(historyRef.current, u.view, u.drill), u.filter);
  const switchTo = (v: ViewName): void => setUi({ view: v, drill: null, selected: 0, filter: '' });

  // Keys typed quickly (or pasted) can arrive as one chunk, which Ink hands over as one string:
  // take it a character at a time, Enter included.
  useInput((input, key) => {
    if (input.length > 1 && !key.ctrl && !key.meta) {
      for (const ch of input) onKey(ch === '\r' ? '' : ch, { ...key, return: ch === '\r' });
    } else onKey(input, key);
  });

  function onKey(input: string, key: Key): void {
    const u = uiRef.current;
    if (u.editing) {
      if (key.return) setUi({ editing: false });
      else if (key.escape) setUi({ filter: '', editing: false });
      else if (key.backspace || key.delete) setUi({ filter: u.filter.slice(0, -1) });
      else if (input && !key.ctrl && !key.meta) setUi({ filter: u.filter + input, selected: 0 });
      return;
    }
    const rows = tableOf(u);
    const sel = Math.min(u.selected, Math.max(0, rows.rows.length - 1));
    if (input === 'q' || (key.ctrl && input === 'c')) { exit(); return; }
    if (input === '1' || input === 'b') switchTo('brokers');
    else if (input === '2' || input === 't') switchTo('topics');
    else if (input === '3' || input === 'g') switchTo('groups');
    else if (key.tab) switchTo(VIEWS[(VIEWS.findIndex((v) => v.name === u.view) + 1) % VIEWS.length].name);
    else if (input === '/') setUi({ editing: true });
    else if (key.upArrow) setUi({ selected: Math.max(0, sel - 1) });
    else if (key.downArrow) setUi({ selected: Math.min(Math.max(0, rows.rows.length - 1), sel + 1) });
    else if (key.return) {
      const target = rows.keys[sel];
      if (target && !u.drill) setUi({ drill: target, selected: 0, filter: '' });
    } else if (key.escape || key.backspace || key.delete) {
      if (u.drill) setUi({ drill: null, selected: 0 });
      else setUi({ filter: '' });
    }
  }

  const { view, filter, editing, drill } = ui;
  const table = tableOf(ui);
  const sel = Math.min(ui.selected, Math.max(0, table.rows.length - 1));

  const snap = history.latest;
  const up = snap?.brokers.filter((b) => b.alive).length ?? 0;
  const down = (snap?.brokers.length ?? 0) - up;
  const clusterIn = history.series.get('cluster:in') ?? [];
  const clusterOut = history.series.get('cluster:out') ?? [];
  const last = (s: readonly number[]): number => s[s.length - 1] ?? 0;
  const title = drill ? `${view === 'topics' ? 'Topic' : 'Group'} ${drill}` : VIEWS.find((v) => v.name === view)!.title;

  return (
    <Box flexDirection="column">
      <Box>
        <Text bold color="cyan">mq top </Text>
        {VIEWS.map((v) => (
          <Text key={v.name} inverse={v.name === view}>{` ${v.key} ${v.title} `}</Text>
        ))}
        <Text>{`  brokers ${up} up`}</Text>
        {down > 0 ? <Text color="red" bold>{`, ${down} DOWN`}</Text> : null}
        <Text dimColor>{snap ? `  at ${new Date(snap.at).toISOString().slice(11, 19)}` : '  waiting for the first snapshot…'}</Text>
      </Box>
      <Text>
        {`in ${formatBytes(Math.round(last(clusterIn)))}/s ${sparkline(clusterIn, 30)}  out ${formatBytes(Math.round(last(clusterOut)))}/s ${sparkline(clusterOut, 30)}`}
      </Text>
      <Box marginTop={1} flexDirection="column">
        <Text bold underline>{title}{filter ? `  (filter: ${filter})` : ''}</Text>
        <TableView table={table} selected={table.rows.length ? sel : null} maxRows={maxRows} />
      </Box>
      {error ? <Text color="red">{`source failed: ${error}`}</Text> : null}
      <Box marginTop={1}>
        {editing
          ? <Text>{`filter: ${filter}█  (Enter keep, Esc clear)`}</Text>
          : <Text dimColor>{'q quit  1 brokers  2 topics  3 groups  Tab next  / filter  ↑↓ select  Enter drill in  Esc back'}</Text>}
      </Box>
    </Box>
  );
}
