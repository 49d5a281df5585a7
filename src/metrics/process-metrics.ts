// Samples of the broker process and its host: CPU (percent of one core since the previous sample),
// resident memory, event-loop delay (perf_hooks, reset at each sample so it shows the recent past),
// open file descriptors (/proc/self/fd; null where there is no /proc) and free disk of the data dir.
import { readdir, statfs } from 'node:fs/promises';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface ProcessSample {
  cpuPercent: number;
  cpuSecondsTotal: number;
  rssBytes: number;
  heapUsedBytes: number;
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  openFiles: number | null;
  diskFreeBytes: number | null;
  diskTotalBytes: number | null;
}

export class ProcessMetrics {
  private static readonly RESOLUTION_MS = 10;
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: ProcessMetrics.RESOLUTION_MS });
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private last: ProcessSample | null = null;
  private lastSampledAt = 0;

  constructor(private readonly dataDir: string, private readonly minIntervalMs = 500) {
    this.loop.enable();
  }

  /** A fresh sample, or the previous one when asked again within minIntervalMs (several scrapers). */
  async sample(): Promise<ProcessSample> {
    const now = performance.now();
    if (this.last && now - this.lastSampledAt < this.minIntervalMs) return this.last;
    const cpu = process.cpuUsage();
    const usedUs = (cpu.user - this.lastCpu.user) + (cpu.system - this.lastCpu.system);
    const elapsedMs = now - this.lastAt;
    this.lastCpu = cpu;
    this.lastAt = now;
    const mem = process.memoryUsage();
    // The histogram records each timer's whole interval; the delay is what exceeds the resolution.
    const ns = (v: number): number => (Number.isFinite(v) ? Math.max(0, v / 1e6 - ProcessMetrics.RESOLUTION_MS) : 0);
    const sample: ProcessSample = {
      cpuPercent: elapsedMs > 0 ? (usedUs / 1000 / elapsedMs) * 100 : 0,
      cpuSecondsTotal: (cpu.user + cpu.system) / 1e6,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      eventLoopDelayP50Ms: this.loop.count > 0 ? ns(this.loop.percentile(50)) : 0,
      eventLoopDelayP99Ms: this.loop.count > 0 ? ns(this.loop.percentile(99)) : 0,
      eventLoopDelayMaxMs: this.loop.count > 0 ? ns(this.loop.max) : 0,
      openFiles: await readdir('/proc/self/fd').then((l) => l.length, () => null),
      diskFreeBytes: null,
      diskTotalBytes: null,
    };
    try {
      const fs = await statfs(this.dataDir);
      sample.diskFreeBytes = fs.bavail * fs.bsize;
      sample.diskTotalBytes = fs.blocks * fs.bsize;
    } catch { /* data dir gone (shutting down): leave null */ }
    this.loop.reset();
    this.last = sample;
    this.lastSampledAt = now;
    return sample;
  }

  close(): void {
    this.loop.disable();
  }
}
