// `mq top --charts`: a blessed-contrib screen with two line charts over the last minutes, throughput
// in and out of the focused topic (or the whole cluster) and lag of the focused group, plus a status
// line. It consumes the same TopSource and History as the Ink dashboard, runs one loop and calls each
// widget's setData() once per snapshot. q, Esc or Ctrl-C quits. Loaded only by commands/top.ts.
import blessed from 'blessed';
import contrib from 'blessed-contrib';
import { formatBytes } from '../../src/util/units.js';
import { emptyHistory, reduceHistory, type History } from '../history.js';
import type { TopSource } from '../source.js';

export interface ChartsOptions {
  topic?: string;
  group?: string;
  signal: AbortSignal;
  intervalMs: number;
  windowSize?: number;
}

function xLabels(n: number, intervalMs: number): string[] {
  return Array.from({ length: n }, (_, i) => `-${(((n - 1 - i) * intervalMs) / 1000).toFixed(intervalMs < 1000 ? 1 : 0)}s`);
}

export async function runCharts(source: TopSource, opts: ChartsOptions): Promise<void> {
  const stop = new AbortController();
  const onOuter = (): void => stop.abort();
  opts.signal.addEventListener('abort', onOuter, { once: true });
  const screen = blessed.screen({ smartCSR: true, title: 'mq top --charts', fullUnicode: true });
  const grid = new contrib.grid({ rows: 12, cols: 12, screen });
  const throughput = grid.set(0, 0, 6, 12, contrib.line, {
    label: ' Throughput kB/s ', showLegend: true, legend: { width: 14 }, minY: 0, wholeNumbersOnly: false,
    style: { line: 'yellow', text: 'green', baseline: 'white' },
  });
  const lag = grid.set(6, 0, 4, 12, contrib.line, {
    label: ' Lag (records) ', showLegend: true, legend: { width: 14 }, minY: 0, wholeNumbersOnly: true,
    style: { line: 'red', text: 'green', baseline: 'white' },
  });
  const status = grid.set(10, 0, 2, 12, blessed.box, { tags: false, content: ' mq top --charts: waiting for the first snapshot…  q quits' });
  screen.key(['q', 'C-c', 'escape'], () => stop.abort());
  screen.render();

  let h: History = emptyHistory(opts.windowSize ?? 120);
  try {
    for await (const snap of source.snapshots(stop.signal)) {
      h = reduceHistory(h, snap);
      const topic = opts.topic ?? [...h.topicRates.keys()][0];
      const group = opts.group ?? snap.groups[0]?.groupId;
      const inSeries = (topic ? h.series.get(`topic:${topic}:in`) : h.series.get('cluster:in')) ?? [];
      const outSeries = (topic ? h.series.get(`topic:${topic}:out`) : h.series.get('cluster:out')) ?? [];
      const kB = (s: readonly number[]): number[] => s.map((v) => Math.round(v / 10) / 100);
      throughput.setLabel(` Throughput kB/s: ${topic ? `topic ${topic}` : 'cluster'} `);
      throughput.setData([
        { title: 'in', x: xLabels(inSeries.length, opts.intervalMs), y: kB(inSeries), style: { line: 'yellow' } },
        { title: 'out', x: xLabels(outSeries.length, opts.intervalMs), y: kB(outSeries), style: { line: 'cyan' } },
      ]);
      const lagSeries = (group ? h.series.get(`group:${group}:lag`) : undefined) ?? [];
      lag.setLabel(` Lag (records): ${group ? `group ${group}` : 'no groups'} `);
      lag.setData([{ title: group ?? 'none', x: xLabels(Math.max(1, lagSeries.length), opts.intervalMs), y: lagSeries.length ? [...lagSeries] : [0], style: { line: 'red' } }]);
      const up = snap.brokers.filter((b) => b.alive).length;
      const down = snap.brokers.length - up;
      const last = (s: readonly number[]): number => s[s.length - 1] ?? 0;
      status.setContent(` mq top --charts  brokers ${up} up${down ? `, ${down} DOWN` : ''}  in ${formatBytes(Math.round(last(inSeries)))}/s  out ${formatBytes(Math.round(last(outSeries)))}/s  lag ${last(lagSeries)}  q quits`);
      screen.render();
    }
  } finally {
    opts.signal.removeEventListener('abort', onOuter);
    screen.destroy();
  }
}
