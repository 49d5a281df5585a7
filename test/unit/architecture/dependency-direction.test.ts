// Dependencies point down only: every import between the source folders goes to a lower layer (DESIGN.md,
// "Layout"). The layers, bottom up; folders on one layer must not import each other either:
//   util < protocol < config, security < storage, client, metrics < cluster < replication, group, transaction < broker
//   < cli, bench < tui < commands
// Reads the TypeScript sources (type-only imports count: they tie the folders together just the same).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const LAYERS: Record<string, number> = {
  'src/util': 0,
  'src/protocol': 1,
  'src/config': 2, 'src/security': 2,
  'src/storage': 3, 'src/client': 3, 'src/metrics': 3,
  'src/cluster': 4,
  'src/replication': 5, 'src/group': 5, 'src/transaction': 5,
  'src/broker': 6,
  'src/cli': 7, 'src/bench': 7,
  tui: 8,
  commands: 9,
};

/** The repository: this file runs compiled from dist/test/unit/architecture/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The layer folder a path belongs to ("src/broker", "tui", ...), or null outside the layered code. */
function folderOf(root: string, path: string): string | null {
  const parts = relative(root, path).split('/');
  const folder = parts[0] === 'src' ? `src/${parts[1]}` : parts[0];
  return folder in LAYERS ? folder : null;
}

/** Every relative import of a file: `import ... from`, `export ... from`, `import(...)`. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
}

export function upwardImports(root: string): string[] {
  const bad: string[] = [];
  const files = ['src', 'tui', 'commands'].flatMap((d) => sources(join(root, d)));
  for (const file of files) {
    const from = folderOf(root, file);
    assert.ok(from, `${relative(root, file)} is in no layer: add its folder to LAYERS in this test`);
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const to = folderOf(root, resolve(dirname(file), spec));
      if (to === null || to === from) continue;
      if (LAYERS[to] >= LAYERS[from]) bad.push(`${relative(root, file)} imports ${spec} (${from} -> ${to})`);
    }
  }
  return bad;
}

test('every import between source folders points to a lower layer', () => {
  const root = repoRoot();
  const bad = upwardImports(root);
  assert.deepEqual(bad, [], `upward or sideways imports:\n  ${bad.join('\n  ')}`);
});

test('the check sees an upward import', () => {
  // The check itself must be able to fail: the import pattern finds each form a file may use.
  const found = importsOf(`import { a } from '../broker/broker.js';\nexport * from "./x.js";\nconst m = await import('../cli/units.js');\nimport type { T } from '../../src/cluster/y.js';`);
  assert.deepEqual(found, ['../broker/broker.js', './x.js', '../cli/units.js', '../../src/cluster/y.js']);
});
