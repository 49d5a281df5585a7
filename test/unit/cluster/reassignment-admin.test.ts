// The pure parts of reassignment through the brokers: which replica lists a broker refuses, what
// ListPartitionReassignments lists, and how the throttle configs read (replication-throttle.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listReassignments, replicaListProblem } from '../../../src/cluster/reassignment-admin.js';
import { reassignmentThrottleRate, throttleConfigRate } from '../../../src/replication/replication-throttle.js';
import type { Reassignment } from '../../../src/cluster/replica-restore.js';
import type { TopicRecord } from '../../../src/cluster/topic-records.js';

test('replica lists: empty, negative, repeated and unregistered brokers are refused', () => {
  const registered = new Set([1, 2, 3]);
  assert.equal(replicaListProblem([3, 1], registered), null);
  assert.match(replicaListProblem([], registered)!, /empty/);
  assert.match(replicaListProblem([1, -1], registered)!, /non-negative/);
  assert.match(replicaListProblem([1, 1], registered)!, /twice/);
  assert.match(replicaListProblem([1, 7, 9], registered)!, /brokers 7,9 not registered/);
});

test('listReassignments: current replicas with adding/removing, filtered, in topic and partition order', () => {
  const record = (replicas: number[][]): TopicRecord => ({ topicId: 'x', replicas, configs: {} });
  const topics = new Map([['b', record([[1, 2, 3], [2, 3]])], ['a', record([[1, 2, 4]])]]);
  const moves = new Map<string, Reassignment>([
    ['b/0', { target: [2, 3], adding: [3], removing: [1] }],
    ['a/0', { target: [2, 4], adding: [4], removing: [1] }],
    ['gone/0', { target: [1], adding: [1], removing: [] }],
  ]);
  assert.deepEqual(listReassignments(moves, topics, null), [
    { topic: 'a', partition: 0, replicas: [1, 2, 4], adding: [4], removing: [1] },
    { topic: 'b', partition: 0, replicas: [1, 2, 3], adding: [3], removing: [1] },
  ]);
  assert.deepEqual(listReassignments(moves, topics, new Map([['b', [0, 1]]])).map((r) => r.topic), ['b']);
  assert.deepEqual(listReassignments(moves, topics, new Map([['b', [1]]])), []);
});

test('throttle configs: either name sets the one rate (the smaller wins), delete removes, others are INVALID_CONFIG', () => {
  assert.equal(throttleConfigRate(new Map([['follower.replication.throttled.rate', '1000']])), 1000);
  assert.equal(throttleConfigRate(new Map([['leader.replication.throttled.rate', '5000'], ['follower.replication.throttled.rate', '2000']])), 2000);
  assert.equal(throttleConfigRate(new Map([['follower.replication.throttled.rate', null]])), null);
  assert.equal(throttleConfigRate(new Map([['follower.replication.throttled.rate', '9223372036854775807']])), null, "Kafka's unlimited");
  assert.throws(() => throttleConfigRate(new Map([['log.retention.ms', '1']])), (e: Error & { code?: string }) => e.code === 'INVALID_CONFIG');
  for (const bad of ['0', '-5', '1.5', 'fast']) {
    assert.throws(() => throttleConfigRate(new Map([['follower.replication.throttled.rate', bad]])), /positive number of bytes/, bad);
  }
  const r = (t?: number): Reassignment => ({ target: [1], adding: [1], removing: [], ...(t ? { throttleBytesPerSec: t } : {}) });
  assert.equal(reassignmentThrottleRate(new Map([['a/0', r()], ['a/1', r(3000)], ['a/2', r(2000)]])), 2000);
  assert.equal(reassignmentThrottleRate(new Map([['a/0', r()]])), null);
});
