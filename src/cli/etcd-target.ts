// The etcd a command talks to (`--etcd URL,...`) and how it proves itself there: user and password,
// CA and client certificate (src/cluster/etcd-security.ts). Built from the flags shared by every command
// that takes --etcd (commands/etcd-options.ts); the password comes from MQ_ETCD_PASSWORD or the first
// line of --etcd-password-file, never from a flag (it would show in `ps`).
import { readFile } from 'node:fs/promises';
import type { EtcdSecurity } from '../cluster/etcd-security.js';
import { MqError } from '../util/mq-error.js';

export interface EtcdTarget {
  /** Comma-separated client URLs (http:// or https://). */
  endpoints: string;
  security?: EtcdSecurity;
}

export interface EtcdFlags {
  etcd: string;
  etcdUser?: string;
  etcdPasswordFile?: string;
  etcdCa?: string;
  etcdCert?: string;
  etcdKey?: string;
}

/** The target for `o` (flags already merged with their MQ_ETCD_* variables); reads the password file. */
export async function etcdTarget(o: EtcdFlags, env: NodeJS.ProcessEnv): Promise<EtcdTarget> {
  let password = env.MQ_ETCD_PASSWORD;
  if (o.etcdPasswordFile !== undefined) {
    try {
      password = (await readFile(o.etcdPasswordFile, 'utf8')).split(/\r?\n/)[0];
    } catch (err) {
      throw new MqError('INVALID_ARGUMENT', `--etcd-password-file ${o.etcdPasswordFile} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const security: EtcdSecurity = {};
  if (o.etcdUser !== undefined) security.username = o.etcdUser;
  if (password !== undefined) security.password = password;
  if (o.etcdCa !== undefined) security.caLocation = o.etcdCa;
  if (o.etcdCert !== undefined) security.certificateLocation = o.etcdCert;
  if (o.etcdKey !== undefined) security.keyLocation = o.etcdKey;
  return { endpoints: o.etcd, security };
}
