// ESLint for mq's TypeScript (`npm run lint`): type-aware rules only, for now the two that catch
// promises nobody waits for (CONVENTIONS.md: unhandled rejections are bugs). The type information
// comes from tsconfig.json, so everything tsc compiles is linted; dist/ and the bench/ scripts are not.
// test/run.sh runs it before the tests: a finding fails the suite.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'bench/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)) },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's test()/describe() return a promise that settles when the test has run and never
      // rejects (the runner reports a failure), so these calls are left unawaited on purpose. The entry
      // also matches a subtest's t.test(); one its parent does not await is cancelled and reported as a
      // failure by the runner, so that mistake still shows.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
);
