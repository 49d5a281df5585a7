// DescribeUserScramCredentials: which SCRAM mechanisms each user has a credential for (never the
// credential). All users, or the named ones: a name given twice is DUPLICATE_RESOURCE, a user without
// credentials RESOURCE_NOT_FOUND (Kafka's answers). Users live in the metadata store (security-store.ts).
import { SecurityStore } from '../../cluster/security-store.js';
import { errorCodeOf } from '../../protocol/error-codes.js';
import type { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from '../../protocol/messages/describe-user-scram-credentials.js';
import { SCRAM_MECHANISM_CODES } from '../../security/scram.js';
import { clipErrorMessage, errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

type Result = DescribeUserScramCredentialsResponse['results'][number];

export const handleDescribeUserScramCredentials: Handler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse> = async (req, ctx) => {
  try {
    const users = await new SecurityStore(ctx.broker.authority.store).users();
    const found = (u: (typeof users)[number]): Result => ({
      user: u.user, errorCode: 0, errorMessage: null,
      credentialInfos: u.credentials.map((c) => ({ mechanism: SCRAM_MECHANISM_CODES[c.mechanism], iterations: c.iterations })),
    });
    if (req.users === null) return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: users.map(found) };
    const byName = new Map(users.map((u) => [u.user, u]));
    const counts = new Map<string, number>();
    for (const { name } of req.users) counts.set(name, (counts.get(name) ?? 0) + 1);
    const results = [...counts].map(([name, count]): Result => {
      const fail = (code: string, message: string): Result => ({ user: name, errorCode: errorCodeOf(code), errorMessage: clipErrorMessage(message), credentialInfos: [] });
      if (count > 1) return fail('DUPLICATE_RESOURCE', `user ${name} is named ${count} times in one request`);
      const u = byName.get(name);
      return u === undefined ? fail('RESOURCE_NOT_FOUND', `user ${name} has no SCRAM credentials`) : found(u);
    });
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results };
  } catch (err) {
    const code = errorCodeFor(err, ctx.broker.logger, { api: 'DescribeUserScramCredentials' });
    return { throttleTimeMs: 0, errorCode: code, errorMessage: errorMessageFor(err), results: [] };
  }
};
