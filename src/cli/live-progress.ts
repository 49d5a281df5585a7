// A one-line live counter on a terminal's stderr (`\r` + erase-line), redrawn every intervalMs and
// erased by stop(), so the final summary prints on a clean line. Only used when stderr is a TTY.
import { formatCount, formatRate } from '../util/units.js';

export interface LiveProgressOptions {
  /** Writes to the terminal. */
  write(text: string): void;
  /** The count so far (records). */
  sample(): number;
  label?: string;
  intervalMs?: number;
  now?: () => number;
}

const ERASE_LINE = '\r\x1b[2K';

export class LiveProgress {
  private timer: NodeJS.Timeout | null = null;
  private readonly started: number;

  constructor(private readonly opts: LiveProgressOptions) {
    this.started = (opts.now ?? Date.now)();
  }

  start(): this {
    this.timer = setInterval(() => this.opts.write(ERASE_LINE + this.line()), this.opts.intervalMs ?? 200);
    this.timer.unref();
    return this;
  }

  /** The text of one redraw: "12,000 records  40,000 records/s". */
  line(): string {
    const n = this.opts.sample();
    const elapsedS = ((this.opts.now ?? Date.now)() - this.started) / 1000;
    const label = this.opts.label ?? 'records';
    return `${formatCount(n)} ${label}  ${formatRate(elapsedS > 0 ? n / elapsedS : 0)} ${label}/s`;
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.opts.write(ERASE_LINE);
  }
}
