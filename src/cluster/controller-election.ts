// Controller election through the metadata store. The `controller` key holds
// { brokerId, epoch } and is attached to the winner's broker-registration lease, so it vanishes when
// that broker dies or loses its registration; every other broker is waiting for exactly that delete.
// `controller_epoch` (never deleted) is incremented in the same transaction that claims `controller`,
// so each new controller has a strictly higher epoch than every one before it (Kafka's controller
// epoch). A deposed controller fences itself on the 'deposed' event; writes it makes while it still
// believes it is controller can be fenced in the store too, by adding `fence()` to their compares.
//
// Events: 'elected' (epoch) when this broker becomes controller, 'deposed' (epoch) when it stops being
// one (its lease was lost, the key was deleted, or it resigned).
import { EventEmitter } from 'node:events';
import { backoffMs } from '../util/backoff.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { BrokerRegistry } from './broker-registry.js';
import type { MetadataStore, WatchEvent } from './metadata-store.js';

export const CONTROLLER_KEY = 'controller';
export const CONTROLLER_EPOCH_KEY = 'controller_epoch';

export interface ControllerInfo {
  brokerId: number;
  epoch: number;
  /** The version of the `controller` key (what `fence()` compares). */
  version: number;
}

export class ControllerElection extends EventEmitter {
  private readonly logger: Logger;
  private readonly closing = new AbortController();
  private won: ControllerInfo | null = null;
  private kick: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly onLost = (): void => { this.depose('broker registration lost'); this.wake(); };
  private readonly onRegistered = (): void => this.wake();

  constructor(private readonly store: MetadataStore, private readonly registry: BrokerRegistry, private readonly brokerId: number, opts: { logger?: Logger } = {}) {
    super();
    this.logger = opts.logger ?? silentLogger;
  }

  /** The current controller, or null while there is none. */
  static async current(store: MetadataStore): Promise<ControllerInfo | null> {
    const kv = await store.get(CONTROLLER_KEY);
    if (!kv) return null;
    const v = JSON.parse(kv.value) as { brokerId: number; epoch: number };
    return { brokerId: v.brokerId, epoch: v.epoch, version: kv.version };
  }

  get isController(): boolean { return this.won !== null; }
  /** This broker's controller epoch while it is controller, else null. */
  get epoch(): number | null { return this.won?.epoch ?? null; }

  /** A compare that holds only while this broker is still the controller; null when it is not. */
  fence(): { key: string; version: number } | null {
    return this.won ? { key: CONTROLLER_KEY, version: this.won.version } : null;
  }

  /** Campaigns in the background for as long as the election is open. */
  start(): void {
    if (this.loop) return;
    this.registry.on('lost', this.onLost);
    this.registry.on('registered', this.onRegistered);
    this.loop = this.campaign();
  }

  /** Gives up control (controlled shutdown) and stops campaigning. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    this.wake();
    this.registry.off('lost', this.onLost);
    this.registry.off('registered', this.onRegistered);
    await this.loop;
    const won = this.won;
    if (won) {
      this.depose('resigned');
      await this.store.txn([{ key: CONTROLLER_KEY, version: won.version }], [{ delete: CONTROLLER_KEY }])
        .catch((err: unknown) => this.logger.warn('could not resign as controller', { error: (err as Error).message }));
    }
  }

  private async campaign(): Promise<void> {
    let failures = 0;
    while (!this.closing.signal.aborted) {
      const watching = new AbortController();
      // Watch first, then read: a change after the read is then always delivered.
      const changes = this.store.watch(CONTROLLER_KEY, watching.signal)[Symbol.asyncIterator]();
      try {
        await this.step();
        failures = 0;
        await this.nextChange(changes);
      } catch (err) {
        this.logger.warn('controller election step failed; retrying', { broker: this.brokerId, error: (err as Error).message });
        await this.pause(backoffMs(failures++, { initialMs: 100, maxMs: 1000 }));
      } finally {
        watching.abort();
      }
    }
  }

  /** One look at the controller key: claim it when free, notice when we lost it. */
  private async step(): Promise<void> {
    const leaseId = this.registry.leaseId;
    let cur = await ControllerElection.current(this.store);
    if (cur && cur.brokerId === this.brokerId && !this.won && leaseId !== null) {
      // Our own claim from before a crash and quick restart: its lease would hold it for a full TTL.
      const kv = await this.store.get(CONTROLLER_KEY);
      if (kv && kv.lease !== undefined && kv.lease === this.registry.supersededLeaseId) {
        await this.store.txn([{ key: CONTROLLER_KEY, version: kv.version }], [{ delete: CONTROLLER_KEY }]);
        cur = await ControllerElection.current(this.store);
      }
    }
    if (cur && this.won && cur.version !== this.won.version) this.depose(`broker ${cur.brokerId} is controller now`);
    if (cur || leaseId === null || this.closing.signal.aborted) return;
    if (this.won) this.depose('the controller key was deleted');
    const epochKv = await this.store.get(CONTROLLER_EPOCH_KEY);
    const epoch = (epochKv ? Number(epochKv.value) : 0) + 1;
    const ok = await this.store.txn(
      [{ key: CONTROLLER_KEY, version: 0 }, { key: CONTROLLER_EPOCH_KEY, version: epochKv?.version ?? 0 }],
      [
        { put: { key: CONTROLLER_KEY, value: JSON.stringify({ brokerId: this.brokerId, epoch }), lease: leaseId } },
        { put: { key: CONTROLLER_EPOCH_KEY, value: String(epoch) } },
      ],
    );
    if (!ok) return;
    const mine = await this.store.get(CONTROLLER_KEY);
    if (!mine || mine.lease !== leaseId || this.registry.leaseId !== leaseId) return;
    this.won = { brokerId: this.brokerId, epoch, version: mine.version };
    this.logger.info('elected controller', { broker: this.brokerId, epoch });
    this.emit('elected', epoch);
  }

  private depose(reason: string): void {
    const won = this.won;
    if (!won) return;
    this.won = null;
    this.logger.warn('no longer controller', { broker: this.brokerId, epoch: won.epoch, reason });
    this.emit('deposed', won.epoch);
  }

  /** Resolves when the `controller` key changes, the registration changes, or the election closes. */
  private nextChange(changes: AsyncIterator<WatchEvent>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.kick = resolve;
      if (this.closing.signal.aborted) { resolve(); return; }
      const pull = (): void => {
        changes.next().then((r) => {
          if (r.done) resolve();
          else if (r.value.key === CONTROLLER_KEY) resolve();
          else pull(); // controller_epoch shares the prefix
        }, reject);
      };
      pull();
    }).finally(() => { this.kick = null; });
  }

  private wake(): void {
    this.kick?.();
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.kick = () => { clearTimeout(t); resolve(); };
    });
  }
}
