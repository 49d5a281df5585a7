// The security messages against an independent encoder: kafkajs 2.2.4's own CreateAcls, DescribeAcls,
// DeleteAcls, SaslHandshake and SaslAuthenticate requests decode with our schemas, and our responses
// decode with kafkajs's parsers, field for field.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { CreateAclsRequest, CreateAclsResponse } from '../../../src/protocol/messages/create-acls.js';
import { DeleteAclsRequest, DeleteAclsResponse } from '../../../src/protocol/messages/delete-acls.js';
import { DescribeAclsRequest, DescribeAclsResponse } from '../../../src/protocol/messages/describe-acls.js';
import { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../../../src/protocol/messages/sasl-authenticate.js';
import { SaslHandshakeRequest, SaslHandshakeResponse } from '../../../src/protocol/messages/sasl-handshake.js';

const require = createRequire(import.meta.url);
const kjs = (path: string): any => require(`kafkajs/src/protocol/requests/${path}.js`);
const encoded = async (request: { encode: () => Promise<{ buffer: Buffer }> }): Promise<Buffer> => (await request.encode()).buffer;

const acl = { resourceType: 2, resourceName: 'orders', resourcePatternType: 4, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };

test('kafkajs CreateAcls v1 and DeleteAcls v1 requests decode field for field', async () => {
  const create = CreateAclsRequest.fromBuffer(await encoded(kjs('createAcls/v1/request')({ creations: [acl] })), 1);
  assert.deepEqual(create.creations, [acl]);
  const del = DeleteAclsRequest.fromBuffer(await encoded(kjs('deleteAcls/v1/request')({ filters: [{ ...acl, resourceName: null, principal: null, host: null }] })), 1);
  assert.deepEqual(del.filters, [{ resourceTypeFilter: 2, resourceNameFilter: null, patternTypeFilter: 4, principalFilter: null, hostFilter: null, operation: 3, permissionType: 3 }]);
});

test('kafkajs DescribeAcls v1 request decodes; our response decodes with kafkajs', async () => {
  const req = DescribeAclsRequest.fromBuffer(await encoded(kjs('describeAcls/v1/request')({ ...acl, resourceName: 'orders', principal: null, host: null })), 1);
  assert.deepEqual(req, { resourceTypeFilter: 2, resourceNameFilter: 'orders', patternTypeFilter: 4, principalFilter: null, hostFilter: null, operation: 3, permissionType: 3 });
  const body = DescribeAclsResponse.toBuffer({
    throttleTimeMs: 0, errorCode: 0, errorMessage: null,
    resources: [{ type: 2, name: 'orders', patternType: 4, acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }],
  }, 1);
  const decoded = await kjs('describeAcls/v1/response').decode(body);
  assert.deepEqual(decoded.resources, [{ resourceType: 2, resourceName: 'orders', resourcePatternType: 4, acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }]);
});

test('our CreateAcls and DeleteAcls v1 responses decode with kafkajs', async () => {
  const created = await kjs('createAcls/v1/response').decode(CreateAclsResponse.toBuffer({ throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null }] }, 1));
  assert.deepEqual(created.creationResponses, [{ errorCode: 0, errorMessage: null }]);
  const deleted = await kjs('deleteAcls/v1/response').decode(DeleteAclsResponse.toBuffer({
    throttleTimeMs: 0,
    filterResults: [{ errorCode: 0, errorMessage: null, matchingAcls: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', patternType: 4, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }],
  }, 1));
  assert.equal(deleted.filterResponses[0].matchingAcls[0].resourceName, 'orders');
  assert.equal(deleted.filterResponses[0].matchingAcls[0].resourcePatternType, 4);
});

test('kafkajs SaslHandshake v1 / SaslAuthenticate v1 round trip with our schemas', async () => {
  assert.deepEqual(SaslHandshakeRequest.fromBuffer(await encoded(kjs('saslHandshake/v1/request')({ mechanism: 'SCRAM-SHA-256' })), 1), { mechanism: 'SCRAM-SHA-256' });
  const hs = await kjs('saslHandshake/v1/response').decode(SaslHandshakeResponse.toBuffer({ errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] }, 1));
  assert.deepEqual(hs.enabledMechanisms, ['PLAIN', 'SCRAM-SHA-256']);
  const token = Buffer.from('n,,n=alice,r=nonce');
  // kafkajs's authenticators hand the request an already length-prefixed BYTES value.
  const asBytes = Buffer.concat([Buffer.from([0, 0, 0, token.length]), token]);
  assert.deepEqual(SaslAuthenticateRequest.fromBuffer(await encoded(kjs('saslAuthenticate/v1/request')({ authBytes: asBytes })), 1).authBytes, token);
  const auth = await kjs('saslAuthenticate/v1/response').decode(SaslAuthenticateResponse.toBuffer({ errorCode: 0, errorMessage: null, authBytes: Buffer.from('r=x,s=eQ==,i=4096'), sessionLifetimeMs: 5000n }, 1));
  assert.equal(auth.errorCode, 0);
  assert.equal(auth.sessionLifetimeMs, '5000');
});
