// Table rows and the JSON shape for `mq brokers list`, from a Metadata answer.
import type { ClusterMetadata } from '../client/types.js';

export interface BrokerListing { id: number; host: string; port: number; rack: string | null; controller: boolean }

/** The brokers by id, the controller marked. */
export function brokerListing(md: ClusterMetadata): BrokerListing[] {
  return [...md.brokers]
    .sort((a, b) => a.nodeId - b.nodeId)
    .map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack, controller: b.nodeId === md.controllerId }));
}

export const BROKER_LIST_HEADERS = ['ID', 'HOST', 'PORT', 'RACK', 'CONTROLLER'];

export function brokerListRows(brokers: BrokerListing[]): string[][] {
  return brokers.map((b) => [String(b.id), b.host, String(b.port), b.rack ?? '-', b.controller ? 'yes' : '']);
}
