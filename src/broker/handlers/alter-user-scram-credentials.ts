// AlterUserScramCredentials: creates, replaces and deletes users' SCRAM credentials. The request carries
// the salted password (never the password); the broker keeps StoredKey and ServerKey derived from it.
// Each user's changes land together or not at all, with one result per user (Kafka's rules): a
// (user, mechanism) named twice is DUPLICATE_RESOURCE, an unknown mechanism UNSUPPORTED_SASL_MECHANISM,
// an empty name or iterations outside 4096..16384 UNACCEPTABLE_CREDENTIAL, deleting what does not exist
// RESOURCE_NOT_FOUND.
import { SecurityStore } from '../../cluster/security-store.js';
import { errorCodeOf } from '../../protocol/error-codes.js';
import type { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse } from '../../protocol/messages/alter-user-scram-credentials.js';
import { credentialFromSaltedPassword, scramMechanismOfCode, type ScramCredential, type ScramMechanism } from '../../security/scram.js';
import { MqError } from '../../util/mq-error.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

type Change = { delete: ScramMechanism } | { put: ScramCredential };

export const handleAlterUserScramCredentials: Handler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse> = async (req, ctx) => {
  const store = new SecurityStore(ctx.broker.authority.store);
  // By user, in the order first named (a Map keeps insertion order): the results follow it.
  const changes = new Map<string, { changes: Change[]; error: MqError | null }>();
  const entry = (user: string): { changes: Change[]; error: MqError | null } => {
    let e = changes.get(user);
    if (!e) changes.set(user, e = { changes: [], error: null });
    return e;
  };
  const seen = new Set<string>();
  const add = (user: string, code: number, make: (m: ScramMechanism) => Change): void => {
    const e = entry(user);
    if (e.error) return;
    try {
      if (user === '') throw new MqError('UNACCEPTABLE_CREDENTIAL', 'a user name cannot be empty');
      const mechanism = scramMechanismOfCode(code);
      if (mechanism === undefined) throw new MqError('UNSUPPORTED_SASL_MECHANISM', `unknown SCRAM mechanism code ${code} (1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512)`);
      if (seen.has(`${user}\0${mechanism}`)) throw new MqError('DUPLICATE_RESOURCE', `user ${user}'s ${mechanism} credential is altered twice in one request`);
      seen.add(`${user}\0${mechanism}`);
      e.changes.push(make(mechanism));
    } catch (err) {
      e.error = err as MqError;
    }
  };
  for (const d of req.deletions) add(d.name, d.mechanism, (m) => ({ delete: m }));
  for (const u of req.upsertions) add(u.name, u.mechanism, (m) => ({ put: credentialFromSaltedPassword(m, u.salt, u.iterations, u.saltedPassword) }));

  const results: AlterUserScramCredentialsResponse['results'] = [];
  for (const [user, e] of changes) {
    try {
      if (e.error) throw e.error;
      for (const c of e.changes) {
        if ('delete' in c && !(await store.credential(user, c.delete))) throw new MqError('RESOURCE_NOT_FOUND', `user ${user} has no ${c.delete} credential to delete`);
      }
      for (const c of e.changes) {
        if ('delete' in c) await store.deleteCredential(user, c.delete);
        else await store.putCredential(user, c.put);
      }
      results.push({ user, errorCode: 0, errorMessage: null });
    } catch (err) {
      results.push({ user, errorCode: errorCodeFor(err, ctx.broker.logger, { api: 'AlterUserScramCredentials', user }), errorMessage: errorMessageFor(err) });
    }
  }
  if (results.some((r) => r.errorCode === 0)) ctx.broker.logger.info('SCRAM credentials changed', { users: results.filter((r) => r.errorCode === 0).map((r) => r.user).join(','), peer: ctx.peer });
  return { throttleTimeMs: 0, results };
};
