// Where a command's connection security comes from: a --command-config file (Java properties, Kafka
// tools' habit), then MQ_* variables (MQ_ + the key upper-cased, dots as underscores, for example
// MQ_SASL_PASSWORD), then -X key=value flags; a later source wins key by key. The names are librdkafka's
// (CLIENT_SECURITY_KEYS in src/client/security-options.ts); any other key is a usage error that names
// it and the known ones. Values never appear in an error: a mistyped line may hold a password.
// Producer settings by their librdkafka names (PRODUCER_KEYS: enable.idempotence) and consumer settings
// (CONSUMER_KEYS: isolation.level) come from the same sources; resolveProducerProperties() reads them for
// mq produce and mq bench, resolveConsumerProperties() for mq consume, and the security settings ignore them.
import { readFile } from 'node:fs/promises';
import { CLIENT_SECURITY_KEYS, parseClientProperties, parsePropertiesText, type ClientSecurity } from '../client/security-options.js';
import { MqError } from '../util/mq-error.js';

export interface ClientPropertySources {
  /** --command-config FILE */
  commandConfig?: string;
  env: NodeJS.ProcessEnv;
  /** Each -X value as typed: "key=value". */
  properties?: string[];
}

const invalid = (message: string, hint?: string): MqError => new MqError('INVALID_ARGUMENT', message, { hint });

/** MQ_SASL_USERNAME for sasl.username. */
export function envNameOf(key: string): string {
  return `MQ_${key.toUpperCase().replace(/\./g, '_')}`;
}

/** Producer settings by their librdkafka names, taken by the commands that produce. */
export const PRODUCER_KEYS: readonly string[] = ['enable.idempotence'];
/** Consumer settings by their librdkafka names, taken by mq consume. */
export const CONSUMER_KEYS: readonly string[] = ['isolation.level'];
/** Settings that are not security settings. */
const CLIENT_KEYS: readonly string[] = [...PRODUCER_KEYS, ...CONSUMER_KEYS];

function checkKey(key: string, where: string): void {
  if (CLIENT_SECURITY_KEYS.includes(key) || CLIENT_KEYS.includes(key) || /^ssl\.(truststore|keystore)\./.test(key)) return; // keystores: refused with a pointer later
  throw invalid(`unknown client property '${key}' in ${where}`,
    `Known: ${CLIENT_SECURITY_KEYS.join(', ')}.\nProducer settings (mq produce, mq bench): ${PRODUCER_KEYS.join(', ')}.\nConsumer settings (mq consume): ${CONSUMER_KEYS.join(', ')}.`);
}

/** librdkafka accepts sasl.mechanisms for sasl.mechanism; one name, so a later source replaces an earlier one. */
const canonical = (key: string): string => (key === 'sasl.mechanisms' ? 'sasl.mechanism' : key);

/** "key=value" of one -X flag. */
function splitProperty(raw: string): [string, string] {
  const at = raw.indexOf('=');
  if (at <= 0) throw invalid(`-X expects key=value, as in -X security.protocol=sasl_ssl (got ${at === 0 ? 'no key' : 'no "="'})`);
  return [raw.slice(0, at).trim(), raw.slice(at + 1)];
}

/** The security settings, or undefined when no source names any (a plaintext connection). */
export async function resolveClientSecurity(src: ClientPropertySources): Promise<ClientSecurity | undefined> {
  const merged = await mergedProperties(src);
  for (const key of CLIENT_KEYS) merged.delete(key);
  if (merged.size === 0) return undefined;
  return parseClientProperties(merged).security;
}

/** What the producer settings (PRODUCER_KEYS) of the sources ask for; absent keys stay undefined. */
export async function resolveProducerProperties(src: ClientPropertySources): Promise<{ idempotent?: boolean }> {
  const merged = await mergedProperties(src);
  const v = merged.get('enable.idempotence');
  if (v === undefined) return {};
  const lower = v.trim().toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw invalid(`enable.idempotence=${v}: must be true or false`);
  return { idempotent: lower === 'true' };
}

/** The consumer settings (CONSUMER_KEYS) the sources ask for; absent keys stay undefined. */
export async function resolveConsumerProperties(src: ClientPropertySources): Promise<{ isolationLevel?: 'read_committed' | 'read_uncommitted' }> {
  const v = (await mergedProperties(src)).get('isolation.level');
  if (v === undefined) return {};
  const level = v.trim().toLowerCase();
  if (level !== 'read_committed' && level !== 'read_uncommitted') throw invalid(`isolation.level=${v}: must be read_committed or read_uncommitted`);
  return { isolationLevel: level };
}

/** Every setting of the sources, file < environment < -X, keys checked. */
async function mergedProperties(src: ClientPropertySources): Promise<Map<string, string>> {
  const merged = new Map<string, string>();
  if (src.commandConfig !== undefined) {
    let text: string;
    try {
      text = await readFile(src.commandConfig, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw invalid(`cannot read --command-config ${src.commandConfig}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
    }
    for (const [k, v] of parsePropertiesText(text, src.commandConfig)) {
      checkKey(k, `--command-config ${src.commandConfig}`);
      merged.set(canonical(k), v);
    }
  }
  for (const key of [...CLIENT_SECURITY_KEYS, ...CLIENT_KEYS]) {
    const v = src.env[envNameOf(key)];
    if (v !== undefined && v !== '') merged.set(canonical(key), v);
  }
  for (const raw of src.properties ?? []) {
    const [k, v] = splitProperty(raw);
    checkKey(k, '-X');
    merged.set(canonical(k), v);
  }
  return merged;
}
