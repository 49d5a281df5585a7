// Drift test: every command and every long option of the commander tree appears in man/.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { Context } from '../../../commands/context.js';
import { allCommands, buildProgram, commandPath } from '../../../commands/index.js';
import { Output } from '../../../commands/output.js';

const manDir = new URL('../../../../man/', import.meta.url);

/** Page text with roff escapes for hyphens, backslashes and fonts removed. */
function page(name: string): string {
  const file = new URL(name, manDir);
  assert.ok(existsSync(file), `man/${name} exists`);
  return readFileSync(file, 'utf8').replace(/\\-/g, '-').replace(/\\e/g, '\\').replace(/\\f[BIRP]/g, '');
}

const nullStream = new Writable({ write(_c, _e, cb) { cb(); } });
const program = buildProgram(new Context(new Output(nullStream, nullStream), () => Readable.from([]), new AbortController().signal, {}));
const overview = page('mq.1');

describe('man pages cover the command tree', () => {
  for (const cmd of allCommands(program).slice(1)) {
    const path = commandPath(cmd).split(' ').slice(1); // without "mq"
    const pageName = `mq-${path[0]}.1`;
    test(`mq ${path.join(' ')}`, () => {
      const own = page(pageName);
      assert.match(overview, new RegExp(`\\b${path.join(' ')}\\b`), `mq.1 mentions mq ${path.join(' ')}`);
      for (const word of path.slice(1)) assert.match(own, new RegExp(`\\b${word}\\b`), `${pageName} mentions ${word}`);
      for (const opt of cmd.options) {
        if (!opt.long) continue;
        assert.ok(own.includes(opt.long), `${pageName} documents ${opt.long} of mq ${path.join(' ')}`);
        assert.ok(overview.includes(opt.long), `mq.1 documents ${opt.long} of mq ${path.join(' ')}`);
      }
    });
  }

  test('mq.1 documents the global options, environment, exit codes and glossary', () => {
    for (const opt of program.options) if (opt.long) assert.ok(overview.includes(opt.long), opt.long);
    for (const section of ['ENVIRONMENT', 'EXIT STATUS', 'EXAMPLES', 'GLOSSARY']) assert.match(overview, new RegExp(`^\\.SH ${section}$`, 'm'));
    assert.match(overview, /MQ_BOOTSTRAP/);
    assert.match(overview, /rebalance is reserved for consumer groups; reassign moves replicas; elect picks leaders/i);
  });
});
