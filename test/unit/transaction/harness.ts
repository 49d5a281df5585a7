// A TransactionCoordinator over a LocalStore in a temp dir, with a manual clock and recording stand-ins for
// the lead's components-to-be (the MarkerWriter and the OffsetCommitter), for the coordinator's unit
// tests. No import-time side effects.
import type { TestContext } from 'node:test';
import { defer } from '../../helpers/in-process-broker.js';
import { tempDirFor } from '../../helpers/temp-dir.js';
import { LocalStore } from '../../../src/cluster/local-store.js';
import type { MetadataStore } from '../../../src/cluster/metadata-store.js';
import type { MarkerResult, MarkerWriter, TxnMarkers } from '../../../src/transaction/marker-writer.js';
import type { OffsetCommitter } from '../../../src/transaction/offset-committer.js';
import { TransactionCoordinator, type TransactionCoordinatorOptions } from '../../../src/transaction/transaction-coordinator.js';
import type { Logger } from '../../../src/util/logger.js';

export class ManualClock {
  constructor(public ms = 1_765_000_000_000) {}
  now(): number { return this.ms; }
}

/**
 * Records every writeMarkers call. `answer` decides each partition's code per call (default 0);
 * `gate`, while set, holds every call until it resolves.
 */
export class RecordingMarkerWriter implements MarkerWriter {
  readonly calls: TxnMarkers[] = [];
  answer: (p: { topic: string; partition: number }, call: number) => number | 'throw' = () => 0;
  gate: Promise<void> | null = null;

  async writeMarkers(markers: TxnMarkers): Promise<MarkerResult[]> {
    const call = this.calls.length;
    this.calls.push({ ...markers, partitions: [...markers.partitions] });
    if (this.gate) await this.gate;
    const out: MarkerResult[] = [];
    for (const p of markers.partitions) {
      const code = this.answer(p, call);
      if (code === 'throw') throw new Error(`broker for ${p.topic}/${p.partition} unreachable`);
      out.push({ ...p, errorCode: code });
    }
    return out;
  }
}

export class RecordingOffsetCommitter implements OffsetCommitter {
  readonly calls: { transactionalId: string; producerId: bigint; groups: string[]; commit: boolean }[] = [];
  failures = 0;

  async complete(transactionalId: string, producerId: bigint, groups: readonly string[], commit: boolean): Promise<void> {
    this.calls.push({ transactionalId, producerId, groups: [...groups], commit });
    if (this.failures > 0) {
      this.failures--;
      throw new Error('group coordinator not ready');
    }
  }
}

export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  debug(): void {}
  info(msg: string): void { this.lines.push(`info ${msg}`); }
  warn(msg: string): void { this.lines.push(`warn ${msg}`); }
  error(msg: string): void { this.lines.push(`error ${msg}`); }
}

export interface Harness {
  dir: string;
  store: MetadataStore;
  clock: ManualClock;
  markers: RecordingMarkerWriter;
  offsets: RecordingOffsetCommitter;
  logger: CapturingLogger;
  coordinator: TransactionCoordinator;
  /** Producer ids handed out so far. */
  allocated: bigint[];
  /** Another coordinator over the same store (its own writer, committer and allocator). */
  another(extra?: Partial<TransactionCoordinatorOptions>): Harness;
}

let nextProducerId = 1000n;

/** A coordinator owning every id, sweeping only when asked, retrying after 1-5 ms. */
export async function harness(t: TestContext, extra: Partial<TransactionCoordinatorOptions> & { dir?: string; store?: MetadataStore } = {}): Promise<Harness> {
  const dir = extra.dir ?? await tempDirFor(t, 'mq-txn-');
  let store = extra.store;
  if (!store) {
    const opened = await LocalStore.open(dir);
    defer(t, () => opened.close());
    store = opened;
  }
  return build(t, dir, store, new ManualClock(), extra);
}

function build(t: TestContext, dir: string, store: MetadataStore, clock: ManualClock, extra: Partial<TransactionCoordinatorOptions>): Harness {
  const markers = new RecordingMarkerWriter();
  const offsets = new RecordingOffsetCommitter();
  const logger = new CapturingLogger();
  const allocated: bigint[] = [];
  const coordinator = new TransactionCoordinator({
    store,
    allocateProducerId: async () => { const id = nextProducerId++; allocated.push(id); return id; },
    markerWriter: markers,
    offsetCommitter: offsets,
    owns: () => true,
    clock,
    logger,
    sweepIntervalMs: 0,
    retryBackoff: { initialMs: 1, maxMs: 5 },
    ...extra,
  });
  defer(t, () => coordinator.close());
  const h: Harness = { dir, store, clock, markers, offsets, logger, coordinator, allocated, another: (more = {}) => build(t, dir, store, clock, { ...extra, ...more }) };
  return h;
}
