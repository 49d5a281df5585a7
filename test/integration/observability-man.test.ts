// Every man page renders without groff warnings (man --warnings), as `man -l man/mq.1` shows it.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, run } from '../helpers/mq-process.js';

const pages = readdirSync(join(repoRoot, 'man')).filter((f) => f.endsWith('.1'));

test('man pages render without groff warnings', async () => {
  assert.ok(pages.includes('mq.1') && pages.includes('mq-top.1') && pages.includes('mq-completion.1'));
  for (const page of pages) {
    const r = await run(['--warnings', '-l', join(repoRoot, 'man', page)], { cmd: 'man', env: { MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' } });
    assert.equal(r.code, 0, `${page}: ${r.stderr}`);
    assert.equal(r.stderr, '', `${page} renders with warnings`);
    assert.ok(r.stdout.length > 200, `${page} renders text`);
  }
});
