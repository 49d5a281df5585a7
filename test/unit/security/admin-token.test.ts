// Admin bearer tokens (src/security/admin-token.ts): a token minted from the password matches the
// credential it came from, and stops matching for a new password, another user's credential, a
// changed byte, or text that is not a token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminTokenMatches, mintAdminToken, parseAdminToken } from '../../../src/security/admin-token.js';
import { scramCredential } from '../../../src/security/scram.js';

test('a minted token matches its credential and nothing else', async () => {
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const credential = await scramCredential(mechanism, 'secret');
    const token = await mintAdminToken('alice', credential, 'secret');
    const parsed = parseAdminToken(token);
    assert.ok(parsed);
    assert.equal(parsed.user, 'alice');
    assert.equal(parsed.mechanism, mechanism);
    assert.equal(adminTokenMatches(parsed, credential), true);
    // The same password with a new salt (the password was set again) is a new credential.
    assert.equal(adminTokenMatches(parsed, await scramCredential(mechanism, 'secret')), false);
    const flipped = Buffer.from(parsed.clientKey);
    flipped[0] ^= 1;
    assert.equal(adminTokenMatches({ ...parsed, clientKey: flipped }, credential), false);
  }
});

test('text that is not a token parses to null', () => {
  for (const text of ['', 'abc', 'mq1.2.YWxpY2U', 'mq2.2.YWxpY2U.AAAA', 'mq1.9.YWxpY2U.AAAA', 'mq1.2..AAAA', 'mq1.2.YWxpY2U.']) {
    assert.equal(parseAdminToken(text), null, text);
  }
});
