// Sparklines: one block character per value, scaled from 0 to the window's maximum.
const BLOCKS = '▁▂▃▄▅▆▇█';

/** The last `width` values as block characters ("" for no values); all-zero draws the lowest block. */
export function sparkline(values: readonly number[], width = 20): string {
  const shown = values.slice(-width);
  const max = Math.max(0, ...shown);
  return shown.map((v) => (max <= 0 ? BLOCKS[0] : BLOCKS[Math.min(BLOCKS.length - 1, Math.floor((Math.max(0, v) / max) * (BLOCKS.length - 1) + 0.5))])).join('');
}
