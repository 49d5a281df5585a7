// What `npm pack` ships: the `mq` binary, the compiled product and the man pages, and no test code
// (dist/test), no benchmark-peer clients (src/bench/peers, the NATS/Redis comparison in compare.ts and
// the machine-limits probe it alone uses: those run from a source checkout through bench/compare.sh).
// Every relative import of a shipped file resolves to a shipped file and every package it imports is a
// runtime dependency, so the package runs by itself; and `mq bench produce` and `mq bench e2e` run from
// the packed tarball against a real broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, symlink } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { defer } from '../helpers/in-process-broker.js';
import { brokerForTest, repoRoot, run, tempDir } from '../helpers/mq-process.js';

const exec = promisify(execFile);

interface PackedFile { path: string; size: number }

/** `npm pack` in the repository, without lifecycle scripts (they must not rebuild dist under a running suite). */
async function npmPack(args: string[]): Promise<string> {
  const { stdout } = await exec('npm', ['pack', '--json', '--ignore-scripts', ...args], { cwd: repoRoot, timeout: 120_000, maxBuffer: 64 << 20 });
  return stdout;
}

/** The specifiers a compiled ES module imports: static, side-effect, dynamic, and `new URL(..., import.meta.url)`. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"\s]+)['"]/gm,
    /^\s*import\s*['"]([^'"\s]+)['"]/gm,
    /\bimport\(\s*['"]([^'"\s]+)['"]\s*\)/g,
    /new URL\(\s*['"]([^'"\s]+)['"]\s*,\s*import\.meta\.url/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]);
  return found;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
const packageName = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

test('npm pack --dry-run ships the binary, the man pages and the product code, and no tests or benchmark peers', { timeout: 180_000 }, async () => {
  const [report] = JSON.parse(await npmPack(['--dry-run'])) as { files: PackedFile[]; unpackedSize: number }[];
  const paths = report.files.map((f) => f.path);
  const shipped = new Set(paths);

  assert.deepEqual(paths.filter((p) => p.startsWith('dist/test/') || p.startsWith('test/')), [], 'no test code');
  assert.deepEqual(paths.filter((p) => /^dist\/src\/bench\/(peers\/|compare\.|machine-limits\.)/.test(p)), [], 'no benchmark-peer code');
  assert.deepEqual(paths.filter((p) => /^(src|commands|tui|bench)\//.test(p) || p.endsWith('.ts') && !p.endsWith('.d.ts')), [], 'no TypeScript sources or repo-only scripts');
  // Source maps would point at TypeScript sources the package does not ship.
  assert.deepEqual(paths.filter((p) => p.endsWith('.map')), [], 'no source maps');

  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; dependencies: Record<string, string> };
  assert.equal(pkg.bin.mq, 'bin/mq.js');
  assert.ok(shipped.has('bin/mq.js'), 'the mq binary');
  assert.ok(shipped.has('dist/commands/index.js'), 'the commands the binary loads');
  const manPages = (await readdir(join(repoRoot, 'man'))).filter((f) => /\.\d$/.test(f));
  assert.ok(manPages.includes('mq.1'));
  assert.deepEqual(manPages.filter((f) => !shipped.has(`man/${f}`)), [], 'every man page');
  // The product itself is there: the broker, the client, the bench that measures mq.
  for (const p of ['dist/src/broker/broker.js', 'dist/src/client/index.js', 'dist/src/bench/run-bench.js', 'dist/src/bench/e2e-receiver.js']) assert.ok(shipped.has(p), p);

  // Self-contained: what a shipped module imports is shipped, or a Node builtin, or a runtime dependency.
  const builtins = new Set(builtinModules);
  const missing: string[] = [];
  for (const p of paths.filter((x) => x.endsWith('.js'))) {
    for (const spec of importsOf(await readFile(join(repoRoot, p), 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = normalize(join(dirname(p), spec));
        if (!shipped.has(target)) missing.push(`${p} imports ${spec} (${target}, not shipped)`);
      } else if (!spec.startsWith('node:') && !builtins.has(spec) && !(packageName(spec) in pkg.dependencies)) {
        missing.push(`${p} imports ${spec}, which is not in dependencies`);
      }
    }
  }
  assert.deepEqual(missing, [], 'every import of a shipped module resolves inside the package');
});

test('mq bench produce and mq bench e2e run from the packed tarball', { timeout: 240_000 }, async (t) => {
  const d = await tempDir('mq-pack-');
  defer(t, () => d.remove());
  const [packed] = JSON.parse(await npmPack(['--pack-destination', d.path])) as { filename: string }[];
  await exec('tar', ['-xzf', join(d.path, packed.filename), '-C', d.path]);
  const pkgDir = join(d.path, 'package');
  // The repository's installed packages stand in for `npm install`'s; the test above checks that
  // the package imports only its runtime dependencies.
  await symlink(join(repoRoot, 'node_modules'), join(pkgDir, 'node_modules'), 'dir');
  const bin = join(pkgDir, 'bin', 'mq.js');
  const mq = (args: string[]) => run([bin, ...args], { cmd: process.execPath, timeoutMs: 120_000 });

  const version = await mq(['--version']);
  assert.equal(version.code, 0, version.stderr);

  const broker = await brokerForTest(t);
  const produce = await mq(['bench', 'produce', '--count', '20000', '--json', '-b', broker.bootstrap]);
  assert.equal(produce.code, 0, produce.stderr);
  const produced = JSON.parse(produce.stdout) as { records?: number; recordsPerSec: number };
  assert.ok(produced.recordsPerSec > 0, produce.stdout);

  // e2e starts its consumer as a child process from the package's own dist/src/bench/e2e-receiver.js.
  const e2e = await mq(['bench', 'e2e', '--count', '5000', '--rate', '5000', '--json', '-b', broker.bootstrap]);
  assert.equal(e2e.code, 0, e2e.stderr);
  assert.ok((JSON.parse(e2e.stdout) as { recordsPerSec: number }).recordsPerSec > 0, e2e.stdout);
});
