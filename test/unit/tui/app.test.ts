// The Ink dashboard over fixtureSource: each view, switching with keys, filter, drill-in and back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { App } from '../../../tui/app.js';
import { fixtureSource } from '../../../tui/source.js';
import { eventually } from '../../helpers/mq-process.js';
import { snapshot } from './fixtures.js';

const DOWN = '\u001B[B';
const ENTER = '\r';
const ESC = '\u001B';

function start(t: import('node:test').TestContext) {
  const source = fixtureSource([snapshot({ at: 0, bytesIn: 0, lag: 3 }), snapshot({ at: 1000, bytesIn: 3_000_000, lag: 9, down: [2], isr: [1] })], { hold: true });
  const app = render(createElement(App, { source }));
  t.after(() => app.unmount());
  const frame = (): string => app.lastFrame() ?? '';
  const until = (re: RegExp) => eventually(() => re.test(frame()), { timeoutMs: 5000 }).catch(() => assert.fail(`screen never matched ${re}:\n${frame()}`));
  // Ink reads stdin asynchronously; give each key its own write.
  const press = async (key: string): Promise<void> => { app.stdin.write(key); await new Promise((r) => setImmediate(r)); };
  return { frame, until, press };
}

describe('mq top (Ink) over a fixture source', () => {
  test('brokers view: up and down brokers, controller, rates and header counts', async (t) => {
    const s = start(t);
    await s.until(/DOWN \(ECONNREFUSED\)/);
    const f = s.frame();
    assert.match(f, /1 Brokers/);
    assert.match(f, /brokers 1 up, 1 DOWN/);
    assert.match(f, /^1\s+127\.0\.0\.1:9092\s+up\s+\*\s+1\s+2\s+3\.0 MB\/s/m);
    assert.match(f, /q quit/);
  });

  test('topics view, drill into a topic, lagging replica flagged, back with Esc', async (t) => {
    const s = start(t);
    await s.until(/DOWN/);
    await s.press('2');
    await s.until(/^orders\s+2\s+2\s+201/m);
    await s.press(ENTER);
    await s.until(/Topic orders/);
    assert.match(s.frame(), /^0\s+1\s+1,2\s+1\s+2 UNDER-REPLICATED\s+100\s+100/m);
    await s.press(ESC);
    await s.until(/^Topics/m);
  });

  test('groups view: filter with / and drill into a group with arrows and Enter', async (t) => {
    const s = start(t);
    await s.until(/DOWN/);
    await s.press('3');
    await s.until(/^billing\s+Stable\s+2\s+9/m);
    assert.match(s.frame(), /^audit\s+Empty\s+0\s+7/m);
    await s.press('/');
    for (const ch of 'au') await s.press(ch);
    await s.until(/filter: au█/);
    await s.press(ESC);
    // Typed fast or pasted, keys arrive in one chunk.
    await s.press('/aud\r');
    await s.until(/^Groups\s+\(filter: aud\)/m);
    assert.doesNotMatch(s.frame(), /^billing/m);
    await s.press(ESC);
    await s.until(/^billing/m);
    await s.press(DOWN);
    await s.press(ENTER);
    await s.until(/Group audit/);
    assert.match(s.frame(), /^orders\s+1\s+94\s+101\s+7/m);
  });
});
