// `mq users` against real components: through a broker process (-b: DescribeUserScramCredentials /
// AlterUserScramCredentials), straight on a stopped broker's data directory (--data, refused while the
// broker runs), and straight on a real etcd (--etcd). What the broker stores must verify the password
// it was made from (the client sends only PBKDF2 of it) and must not contain the password.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LocalStore } from '../../src/cluster/local-store.js';
import { SecurityStore } from '../../src/cluster/security-store.js';
import { passwordMatches } from '../../src/security/scram.js';
import { startEtcd } from '../helpers/etcd.js';
import { run, startBrokerProcess } from '../helpers/mq-process.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const PASSWORD = 'correct horse battery staple';

describe('mq users', () => {
  test('through a broker: create, replace, list, delete; the stored credential verifies the password and holds none of it', async (t) => {
    const dir = await tempDirFor(t);
    const broker = await startBrokerProcess(dir);
    t.after(() => broker.stop());
    const mq = (args: string[], input?: string) => run([...args, '-b', broker.bootstrap], { input });

    const created = await mq(['users', 'create', 'alice', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'user alice: SCRAM-SHA-512 credential set (4096 iterations)\n');
    const second = await mq(['users', 'create', 'alice', '--password-stdin', '--mechanism', 'SCRAM-SHA-256', '--iterations', '8192'], 'other-password');
    assert.equal(second.code, 0, second.stderr);
    const listed = await mq(['users', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), [{ user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 8192 }, { mechanism: 'SCRAM-SHA-512', iterations: 4096 }] }]);
    const table = await mq(['users', 'list']);
    assert.match(table.stdout, /^USER\s+MECHANISMS\nalice\s+SCRAM-SHA-256 \(8192 iterations\), SCRAM-SHA-512 \(4096 iterations\)\n$/);

    await broker.stop();
    const store = await LocalStore.open(dir);
    const security = new SecurityStore(store);
    assert.equal(await passwordMatches((await security.credential('alice', 'SCRAM-SHA-512'))!, PASSWORD), true);
    assert.equal(await passwordMatches((await security.credential('alice', 'SCRAM-SHA-256'))!, 'other-password'), true);
    assert.equal(await passwordMatches((await security.credential('alice', 'SCRAM-SHA-512'))!, 'other-password'), false);
    await store.close();
    assert.equal((await readFile(join(dir, 'meta', 'store.json'), 'utf8')).includes('battery'), false);
  });

  test('through a broker: refusals are named (no password, bad iterations, unknown user)', async (t) => {
    const dir = await tempDirFor(t);
    const broker = await startBrokerProcess(dir);
    t.after(() => broker.stop());
    const mq = (args: string[], input?: string) => run([...args, '-b', broker.bootstrap], { input });
    const empty = await mq(['users', 'create', 'bob', '--password-stdin'], '');
    assert.equal(empty.code, 2, empty.stderr);
    assert.match(empty.stderr, /no password on standard input/);
    const noFlag = await mq(['users', 'create', 'bob']);
    assert.equal(noFlag.code, 2);
    assert.match(noFlag.stderr, /--password-stdin/);
    const iterations = await mq(['users', 'create', 'bob', '--password-stdin', '--iterations', '100'], 'pw');
    assert.equal(iterations.code, 2);
    assert.match(iterations.stderr, /--iterations/);
    const gone = await mq(['users', 'delete', 'nobody']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /user nobody has no SCRAM credentials/);
    const listed = await mq(['users', 'list', '--json']);
    assert.deepEqual(JSON.parse(listed.stdout), []);
  });

  test('--data: the first user before the first start; refused while the broker runs; the broker then serves it', async (t) => {
    const dir = await tempDirFor(t);
    const created = await run(['users', 'create', 'admin', '--password-stdin', '--data', dir], { input: PASSWORD });
    assert.equal(created.code, 0, created.stderr);
    const broker = await startBrokerProcess(dir);
    t.after(() => broker.stop());
    const listed = await run(['users', 'list', '--json', '-b', broker.bootstrap]);
    assert.deepEqual(JSON.parse(listed.stdout).map((u: { user: string }) => u.user), ['admin']);
    const busy = await run(['users', 'create', 'eve', '--password-stdin', '--data', dir], { input: 'pw' });
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /in use by another broker/);
    assert.match(busy.stderr, /-b HOST:PORT/);
    const deleted = await run(['users', 'delete', 'admin', '-b', broker.bootstrap]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'user admin: deleted SCRAM-SHA-512\n');
  });

  test('--etcd: users of a cluster straight in a real etcd', async (t) => {
    const etcd = await startEtcd();
    t.after(() => etcd.stop());
    const created = await run(['users', 'create', 'ops', '--password-stdin', '--mechanism', 'SCRAM-SHA-256', '--etcd', etcd.endpoint], { input: PASSWORD });
    assert.equal(created.code, 0, created.stderr);
    const listed = await run(['users', 'list', '--json', '--etcd', etcd.endpoint]);
    assert.deepEqual(JSON.parse(listed.stdout), [{ user: 'ops', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 4096 }] }]);
    const deleted = await run(['users', 'delete', 'ops', '--etcd', etcd.endpoint]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(JSON.parse((await run(['users', 'list', '--json', '--etcd', etcd.endpoint])).stdout), []);
  });
});
