// ESLint (flat config): the repo's own structure rules (tools/lint/plugin.mjs) on src/ and tools/.
// TypeScript is parsed by tools/lint/parser.mjs (oxc-parser), since typescript-eslint needs the
// JavaScript compiler API that TypeScript 7 does not have.
import tsParser from './tools/lint/parser.mjs';
import local from './tools/lint/plugin.mjs';

export default [
  { ignores: ['dist/', 'node_modules/', 'public/', 'test-results/', 'playwright-report/', '.cache/', 'out/', '.scratch/'] },
  {
    files: ['src/**/*.{ts,tsx}', 'tools/**/*.{mjs,js,ts}', 'e2e/harness/**/*.ts'],
    // Only the local rules run, so comments that disable other rules (kept for editors) are fine.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { local },
    rules: {
      'local/module-boundaries': 'error',
      'local/no-cycle': 'error',
    },
  },
  { files: ['**/*.{ts,tsx}'], languageOptions: { parser: tsParser } },
  { files: ['**/*.mjs'], languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
];
