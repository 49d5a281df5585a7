// SCRAM users through the brokers: DescribeUserScramCredentials (50) lists who has credentials for which
// mechanism; AlterUserScramCredentials (51) creates, replaces or deletes them. The password never leaves
// this process: the client picks a random salt and sends PBKDF2(password, salt, iterations) (Kafka's
// design), from which the broker derives the keys it keeps. Per-user errors come back as MqErrors.
import { randomBytes } from 'node:crypto';
import { ApiKey } from '../protocol/api.js';
import { errorFromCode } from '../protocol/error-codes.js';
import type { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse } from '../protocol/messages/alter-user-scram-credentials.js';
import type { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from '../protocol/messages/describe-user-scram-credentials.js';
import { checkIterations, MIN_ITERATIONS, saltedPassword, SCRAM_MECHANISM_CODES, scramMechanismOfCode, type ScramMechanism } from '../security/scram.js';
import type { Cluster } from './cluster.js';
import type { UserCredentials } from './types.js';

/** Every user (null) or the named ones, sorted by name; a named user without credentials is RESOURCE_NOT_FOUND. */
export async function describeUsers(cluster: Cluster, names: string[] | null, timeoutMs: number): Promise<UserCredentials[]> {
  const body: DescribeUserScramCredentialsRequest = { users: names === null ? null : names.map((name) => ({ name })) };
  const res = await cluster.retry(() => cluster.requestAny<DescribeUserScramCredentialsResponse>(ApiKey.DescribeUserScramCredentials, body, { timeoutMs }));
  if (res.errorCode !== 0) throw errorFromCode(res.errorCode, res.errorMessage ?? 'DescribeUserScramCredentials');
  const failed = res.results.find((r) => r.errorCode !== 0);
  if (failed) throw errorFromCode(failed.errorCode, failed.errorMessage ?? `user ${failed.user}`);
  return res.results
    .map((r) => ({
      user: r.user,
      credentials: r.credentialInfos.flatMap((c) => {
        const mechanism = scramMechanismOfCode(c.mechanism);
        return mechanism === undefined ? [] : [{ mechanism, iterations: c.iterations }];
      }),
    }))
    .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
}

/** Creates or replaces `user`'s credential for `mechanism`. */
export async function upsertUser(
  cluster: Cluster, user: string, password: string, opts: { mechanism: ScramMechanism; iterations?: number }, timeoutMs: number,
): Promise<void> {
  const iterations = opts.iterations ?? MIN_ITERATIONS;
  checkIterations(iterations);
  const salt = randomBytes(32);
  const salted = await saltedPassword(opts.mechanism, password, salt, iterations);
  await alter(cluster, { deletions: [], upsertions: [{ name: user, mechanism: SCRAM_MECHANISM_CODES[opts.mechanism], iterations, salt, saltedPassword: salted }] }, timeoutMs);
}

/** Deletes `user`'s credential for `mechanism` (RESOURCE_NOT_FOUND when it has none). */
export async function deleteUser(cluster: Cluster, user: string, mechanism: ScramMechanism, timeoutMs: number): Promise<void> {
  await alter(cluster, { deletions: [{ name: user, mechanism: SCRAM_MECHANISM_CODES[mechanism] }], upsertions: [] }, timeoutMs);
}

async function alter(cluster: Cluster, body: AlterUserScramCredentialsRequest, timeoutMs: number): Promise<void> {
  const res = await cluster.retry(() => cluster.requestAny<AlterUserScramCredentialsResponse>(ApiKey.AlterUserScramCredentials, body, { timeoutMs }));
  const failed = res.results.find((r) => r.errorCode !== 0);
  if (failed) throw errorFromCode(failed.errorCode, failed.errorMessage ?? `user ${failed.user}`);
}
