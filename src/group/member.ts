// One member of a consumer group as the coordinator sees it: identity, timeouts, the protocols it
// offered in its last JoinGroup, its assignment, and the parked JoinGroup/SyncGroup it waits on.
import type { JoinGroupResponse } from '../protocol/messages/join-group.js';
import type { SyncGroupResponse } from '../protocol/messages/sync-group.js';

export interface MemberProtocol { name: string; metadata: Buffer }

export class Member {
  /** The protocols in the member's order of preference. */
  protocols: MemberProtocol[];
  /** This member's part of the current generation's assignment (opaque bytes from the leader). */
  assignment: Buffer = Buffer.alloc(0);
  /** Clock time of the last sign of life (heartbeat, join, sync, commit). */
  lastHeartbeatMs: number;
  /** Set while a JoinGroup of this member is parked until the rebalance completes. */
  awaitingJoin: ((response: JoinGroupResponse) => void) | null = null;
  /** Set while a SyncGroup of this member is parked until the leader's assignment arrives. */
  awaitingSync: ((response: SyncGroupResponse) => void) | null = null;
  /** Whether the member has sent SyncGroup for the current generation. */
  synced = false;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    protocols: MemberProtocol[],
    nowMs: number,
  ) {
    this.protocols = protocols;
    this.lastHeartbeatMs = nowMs;
  }

  /** The metadata this member offered for `protocol`. */
  metadataFor(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** Whether `protocols` are the same names and bytes as the member's current ones. */
  sameProtocols(protocols: MemberProtocol[]): boolean {
    return protocols.length === this.protocols.length
      && protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata));
  }

  /** Answers a parked JoinGroup, if any. */
  answerJoin(response: JoinGroupResponse): void {
    const answer = this.awaitingJoin;
    this.awaitingJoin = null;
    answer?.(response);
  }

  /** Answers a parked SyncGroup, if any. */
  answerSync(response: SyncGroupResponse): void {
    const answer = this.awaitingSync;
    this.awaitingSync = null;
    answer?.(response);
  }
}
