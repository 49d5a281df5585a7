// A table of strings in padded columns: UPPER-CASE header, the selected row inverted, warning rows red.
import { Box, Text } from 'ink';
import type { Table } from '../rows.js';

export function TableView({ table, selected, maxRows }: { table: Table; selected: number | null; maxRows?: number }) {
  const widths = table.headers.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  // Keep the selected row on screen when there are more rows than lines.
  const limit = maxRows ?? table.rows.length;
  const first = selected !== null && selected >= limit ? selected - limit + 1 : 0;
  const shown = table.rows.slice(first, first + limit);
  return (
    <Box flexDirection="column">
      <Text bold>{line(table.headers)}</Text>
      {shown.length === 0 ? <Text dimColor>(nothing to show)</Text> : null}
      {shown.map((row, i) => {
        const index = first + i;
        return (
          <Text key={index} inverse={selected === index} color={table.warn[index] ? 'red' : undefined}>
            {line(row)}
          </Text>
        );
      })}
    </Box>
  );
}
