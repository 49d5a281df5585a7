// Kafka's listener settings, parsed and checked together (no sockets here):
//   listeners=PLAINTEXT://127.0.0.1:9092,SASL_SSL://0.0.0.0:9093
//   advertised.listeners=SASL_SSL://broker1.example.com:9093          (by name; default: the listener)
//   listener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_SSL  (for names of one's own)
//   inter.broker.listener.name=INTERNAL                                 (default: the first listener)
// A name is its own security protocol when it is one of the four (PLAINTEXT, SSL, SASL_PLAINTEXT,
// SASL_SSL); any other name needs the map. Names and ports are unique; an advertised address may not
// be a wildcard (0.0.0.0 or ::), since clients cannot dial it; a bare HOST:PORT is PLAINTEXT://HOST:PORT,
// as mq's --listen has always meant.
import { MqError } from '../util/mq-error.js';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export interface Listener {
  name: string;
  protocol: SecurityProtocol;
  host: string;
  port: number;
  /** Where clients are told to dial for this listener. */
  advertisedHost: string;
  advertisedPort: number;
}

export interface ListenerSettings {
  listeners: string;
  advertisedListeners?: string;
  protocolMap?: string;
  interBrokerListenerName?: string;
}

export interface Listeners {
  all: Listener[];
  interBroker: Listener;
}

const isProtocol = (s: string): s is SecurityProtocol => (SECURITY_PROTOCOLS as readonly string[]).includes(s);
const invalid = (message: string, hint?: string): MqError => new MqError('INVALID_CONFIG', message, { hint });

/** NAME://HOST:PORT entries (HOST may be [v6], empty for all interfaces). */
function endpoints(raw: string, key: string): { name: string; host: string; port: number }[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '').map((entry) => {
    const withName = /^([A-Za-z][A-Za-z0-9_]*):\/\/(.*)$/.exec(entry);
    const [name, address] = withName === null ? ['PLAINTEXT', entry] : [withName[1].toUpperCase(), withName[2]];
    const m = /^(\[[^\]]+\]|[^:\[\]]*):(\d+)$/.exec(address);
    if (m === null) throw invalid(`${key}: '${entry}' is not NAME://HOST:PORT`, 'For example PLAINTEXT://127.0.0.1:9092,SASL_SSL://0.0.0.0:9093.');
    const port = Number(m[2]);
    if (port > 65535) throw invalid(`${key}: '${entry}': port ${port} is above 65535`);
    return { name, host: m[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port };
  });
}

function protocolMap(raw: string | undefined): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const pair of (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [name, protocol] = pair.split(':').map((s) => s.trim().toUpperCase());
    if (!name || !protocol || !isProtocol(protocol)) {
      throw invalid(`listener.security.protocol.map: '${pair}' is not NAME:PROTOCOL with PROTOCOL one of ${SECURITY_PROTOCOLS.join(', ')}`);
    }
    map.set(name, protocol);
  }
  return map;
}

export function parseListeners(s: ListenerSettings): Listeners {
  const map = protocolMap(s.protocolMap);
  const bound = endpoints(s.listeners, 'listeners');
  if (bound.length === 0) throw invalid('listeners is empty', 'Name at least one, for example PLAINTEXT://127.0.0.1:9092.');
  const seenNames = new Set<string>();
  const seenPorts = new Map<number, string>();
  for (const l of bound) {
    if (seenNames.has(l.name)) throw invalid(`listeners: the name ${l.name} is used twice (each listener needs its own name)`);
    seenNames.add(l.name);
    const other = l.port === 0 ? undefined : seenPorts.get(l.port); // port 0: each gets its own from the system
    if (other !== undefined) throw invalid(`listeners: ${l.name} and ${other} both use port ${l.port}`);
    seenPorts.set(l.port, l.name);
  }
  const advertised = new Map(endpoints(s.advertisedListeners ?? '', 'advertised.listeners').map((a) => [a.name, a]));
  for (const [name, a] of advertised) {
    if (!seenNames.has(name)) throw invalid(`advertised.listeners names ${name}, which is not in listeners (${[...seenNames].join(', ')})`);
    if (a.host === '0.0.0.0' || a.host === '::') throw invalid(`advertised.listeners: ${name} advertises ${a.host}, which clients cannot dial`, 'Advertise the host name or address clients reach this broker at.');
  }
  const all = bound.map((l): Listener => {
    const protocol = map.get(l.name) ?? (isProtocol(l.name) ? l.name : undefined);
    if (protocol === undefined) {
      throw invalid(`listener ${l.name} has no security protocol`, `Name it one of ${SECURITY_PROTOCOLS.join(', ')}, or map it: listener.security.protocol.map=${l.name}:SASL_SSL.`);
    }
    const a = advertised.get(l.name);
    return { ...l, protocol, advertisedHost: a?.host ?? l.host, advertisedPort: a?.port ?? l.port };
  });
  const interName = s.interBrokerListenerName?.trim().toUpperCase();
  const interBroker = interName === undefined || interName === '' ? all[0] : all.find((l) => l.name === interName);
  if (interBroker === undefined) throw invalid(`inter.broker.listener.name=${interName} is not one of the listeners (${all.map((l) => l.name).join(', ')})`);
  return { all, interBroker };
}

/** Whether clients on the listener authenticate with SASL / talk TLS. */
export const usesSasl = (l: Listener): boolean => l.protocol === 'SASL_PLAINTEXT' || l.protocol === 'SASL_SSL';
export const usesTls = (l: Listener): boolean => l.protocol === 'SSL' || l.protocol === 'SASL_SSL';
