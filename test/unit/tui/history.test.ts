// history.ts (rates and fixed windows), sparklines and the table rows, all pure.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyHistory, reduceHistory } from '../../../tui/history.js';
import { brokerTable, filterTable, groupTable, partitionTable, topicTable } from '../../../tui/rows.js';
import { sparkline } from '../../../tui/sparkline.js';
import { snapshot } from './fixtures.js';

describe('reduceHistory', () => {
  test('rates from two snapshots, per broker, partition and topic', () => {
    let h = reduceHistory(emptyHistory(), snapshot({ at: 1000, bytesIn: 0, lag: 0 }));
    assert.equal(h.brokerRates.get(1)!.inPerSec, 0, 'no rate from one snapshot');
    h = reduceHistory(h, snapshot({ at: 3000, bytesIn: 4000, lag: 10 }));
    assert.equal(h.brokerRates.get(1)!.inPerSec, 2000);
    assert.equal(h.partitionRates.get('orders/0')!.inPerSec, 2000);
    assert.equal(h.topicRates.get('orders')!.inPerSec, 2000);
    assert.deepEqual(h.series.get('cluster:in'), [0, 4000], 'both brokers');
    assert.deepEqual(h.series.get('group:billing:lag'), [0, 10]);
  });

  test('a counter that went backwards (restart) is a rate of 0, and a down broker has no rate', () => {
    let h = reduceHistory(emptyHistory(), snapshot({ at: 1000, bytesIn: 5000 }));
    h = reduceHistory(h, snapshot({ at: 2000, bytesIn: 100 }));
    assert.equal(h.brokerRates.get(1)!.inPerSec, 0);
    h = reduceHistory(h, snapshot({ at: 3000, bytesIn: 900, down: [1] }));
    assert.equal(h.brokerRates.get(1)!.inPerSec, 0);
  });

  test('windows keep the last windowSize values', () => {
    let h = emptyHistory(3);
    for (let i = 0; i < 6; i++) h = reduceHistory(h, snapshot({ at: i * 1000, bytesIn: i * i * 1000, lag: i }));
    assert.deepEqual(h.series.get('group:billing:lag'), [3, 4, 5]);
    assert.deepEqual(h.series.get('broker:1:in'), [5000, 7000, 9000]);
  });
});

describe('sparkline', () => {
  test('scales to the window maximum', () => {
    assert.equal(sparkline([0, 1, 2, 4, 8]), '▁▂▃▅█');
    assert.equal(sparkline([0, 0]), '▁▁');
    assert.equal(sparkline([]), '');
    assert.equal(sparkline([1, 2, 3, 4], 2), '▆█');
  });
});

describe('tables', () => {
  const h = reduceHistory(reduceHistory(emptyHistory(), snapshot({ at: 0, bytesIn: 0 })), snapshot({ at: 1000, bytesIn: 2_000_000, down: [2], isr: [1] }));
  test('brokers: up and down, controller, rates', () => {
    const t = brokerTable(h);
    assert.deepEqual(t.rows.map((r) => r.slice(0, 4)), [['1', '127.0.0.1:9092', 'up', '*'], ['2', '127.0.0.1:9093', 'DOWN (ECONNREFUSED)', '']]);
    assert.equal(t.rows[0][6], '2.0 MB/s');
    assert.deepEqual(t.warn, [false, true]);
  });
  test('topics and partitions flag under-replicated ones and name the lagging replica', () => {
    const topics = topicTable(h);
    assert.deepEqual(topics.rows.map((r) => r.slice(0, 3)), [['orders', '2', '2']]);
    assert.deepEqual(topics.keys, ['orders']);
    const parts = partitionTable(h, 'orders');
    assert.equal(parts.rows[0][4], '2 UNDER-REPLICATED');
    assert.deepEqual(parts.warn, [true, true]);
  });
  test('groups and the filter', () => {
    assert.deepEqual(groupTable(h).rows.map((r) => r.slice(0, 4)), [['billing', 'Stable', '2', '0'], ['audit', 'Empty', '0', '7']]);
    assert.deepEqual(filterTable(groupTable(h), 'AUD').keys, ['audit']);
    assert.equal(filterTable(groupTable(h), '').rows.length, 2);
  });
});
