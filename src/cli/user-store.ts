// `mq users ... --data DIR` / `--etcd URL`: the same user operations as the brokers' (user-admin.ts),
// straight on the metadata store, for the first user before any broker trusts anyone (Kafka's
// `kafka-storage format --add-scram`). --data takes the data dir's lock, so it refuses while that
// directory's broker runs (its copy of the store would overwrite ours); use -b then.
import { DataDirLock } from '../broker/data-dir-lock.js';
import { LocalStore } from '../cluster/local-store.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import { SecurityStore } from '../cluster/security-store.js';
import type { UserAdmin, UserCredentials } from '../client/types.js';
import { scramCredential, type ScramMechanism } from '../security/scram.js';
import { MqError } from '../util/mq-error.js';
import { connectEtcd } from './etcd-discovery.js';
import type { EtcdTarget } from './etcd-target.js';

export interface UserStore extends UserAdmin {
  close(): Promise<void>;
}

export async function openUserStore(target: { data?: string; etcd?: EtcdTarget }): Promise<UserStore> {
  if (target.data !== undefined && target.etcd !== undefined) throw new MqError('INVALID_ARGUMENT', '--data and --etcd name two different stores; give one');
  if (target.data !== undefined) {
    const lock = await DataDirLock.acquire(target.data).catch((err: unknown) => {
      if (err instanceof MqError && err.code === 'DATA_DIR_IN_USE') {
        throw new MqError('DATA_DIR_IN_USE', `${err.message}; its users can only be changed through it`, { hint: 'Use -b HOST:PORT to reach that broker instead of --data.' });
      }
      throw err;
    });
    try {
      return usersOn(await LocalStore.open(target.data), () => lock.release());
    } catch (err) {
      await lock.release();
      throw err;
    }
  }
  if (target.etcd !== undefined) return usersOn(await connectEtcd(target.etcd), async () => undefined);
  throw new MqError('INVALID_ARGUMENT', 'openUserStore needs --data or --etcd');
}

function usersOn(store: MetadataStore, release: () => Promise<void>): UserStore {
  const security = new SecurityStore(store);
  return {
    async describeUsers(names?: string[]): Promise<UserCredentials[]> {
      const all = await security.users();
      if (names === undefined) return all.filter((u) => u.credentials.length > 0);
      return names.map((name) => {
        const u = all.find((x) => x.user === name);
        if (u === undefined) throw new MqError('RESOURCE_NOT_FOUND', `user ${name} has no SCRAM credentials`);
        return u;
      });
    },
    async upsertUser(user: string, password: string, opts: { mechanism: ScramMechanism; iterations?: number }): Promise<void> {
      if (user === '') throw new MqError('UNACCEPTABLE_CREDENTIAL', 'a user name cannot be empty');
      await security.putCredential(user, await scramCredential(opts.mechanism, password, { iterations: opts.iterations }));
    },
    async deleteUser(user: string, mechanism: ScramMechanism): Promise<void> {
      if (!(await security.deleteCredential(user, mechanism))) throw new MqError('RESOURCE_NOT_FOUND', `user ${user} has no ${mechanism} credential to delete`);
    },
    async close(): Promise<void> {
      try { await store.close(); } finally { await release(); }
    },
  };
}
