// Sample values of the security APIs (SASL, ACLs, client quotas, SCRAM credentials), for the round trips
// of every message in messages.test.ts.
import { ApiKey } from '../../../src/protocol/api.js';

const entity = [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: null }];

export const securitySamples: Record<number, { request: (v: number) => any; response: (v: number) => any }> = {
  [ApiKey.SaslHandshake]: {
    request: () => ({ mechanism: 'SCRAM-SHA-512' }),
    response: () => ({ errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] }),
  },
  [ApiKey.SaslAuthenticate]: {
    request: () => ({ authBytes: Buffer.from('n,,n=alice,r=abc') }),
    response: (v) => ({ errorCode: 0, errorMessage: null, authBytes: Buffer.from('r=abcdef,s=c2FsdA==,i=4096'), sessionLifetimeMs: v >= 1 ? 3_600_000n : 0n }),
  },
  [ApiKey.DescribeAcls]: {
    request: (v) => ({ resourceTypeFilter: 2, resourceNameFilter: 'orders', patternTypeFilter: v >= 1 ? 2 : 3, principalFilter: null, hostFilter: '*', operation: 1, permissionType: 3 }),
    response: (v) => ({
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      resources: [{ type: 2, name: 'ord', patternType: v >= 1 ? 4 : 3, acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }],
    }),
  },
  [ApiKey.CreateAcls]: {
    request: (v) => ({ creations: [{ resourceType: 3, resourceName: 'billing', resourcePatternType: v >= 1 ? 4 : 3, principal: 'User:bob', host: '10.0.0.1', operation: 3, permissionType: 2 }] }),
    response: () => ({ throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null }, { errorCode: 42, errorMessage: 'invalid ACL: empty resource name' }] }),
  },
  [ApiKey.DeleteAcls]: {
    request: (v) => ({ filters: [{ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: v >= 1 ? 1 : 3, principalFilter: 'User:bob', hostFilter: null, operation: 1, permissionType: 1 }] }),
    response: (v) => ({
      throttleTimeMs: 0,
      filterResults: [{
        errorCode: 0, errorMessage: null,
        matchingAcls: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', patternType: v >= 1 ? 3 : 3, principal: 'User:bob', host: '*', operation: 4, permissionType: 3 }],
      }],
    }),
  },
  [ApiKey.DescribeClientQuotas]: {
    request: () => ({ components: [{ entityType: 'user', matchType: 0, match: 'alice' }, { entityType: 'client-id', matchType: 1, match: null }], strict: true }),
    response: () => ({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, entries: [{ entity, values: [{ key: 'producer_byte_rate', value: 1048576 }, { key: 'request_percentage', value: 12.5 }] }] }),
  },
  [ApiKey.AlterClientQuotas]: {
    request: () => ({ entries: [{ entity, ops: [{ key: 'consumer_byte_rate', value: 2.5e6, remove: false }, { key: 'producer_byte_rate', value: 0, remove: true }] }], validateOnly: true }),
    response: () => ({ throttleTimeMs: 0, entries: [{ errorCode: 40, errorMessage: 'unknown quota key', entity }] }),
  },
  [ApiKey.DescribeUserScramCredentials]: {
    request: () => ({ users: [{ name: 'alice' }, { name: 'bob' }] }),
    response: () => ({
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      results: [{ user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 2, iterations: 8192 }] }, { user: 'bob', errorCode: 91, errorMessage: 'no credentials', credentialInfos: [] }],
    }),
  },
  [ApiKey.AlterUserScramCredentials]: {
    request: () => ({
      deletions: [{ name: 'carol', mechanism: 1 }],
      upsertions: [{ name: 'alice', mechanism: 2, iterations: 4096, salt: Buffer.alloc(32, 1), saltedPassword: Buffer.alloc(64, 2) }],
    }),
    response: () => ({ throttleTimeMs: 0, results: [{ user: 'carol', errorCode: 0, errorMessage: null }, { user: 'alice', errorCode: 93, errorMessage: 'too few iterations' }] }),
  },
};
