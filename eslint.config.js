import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'web/dist/', '.tmp/', 'coverage/', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', Blob: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', structuredClone: 'readonly', performance: 'readonly', window: 'readonly', document: 'readonly', sessionStorage: 'readonly', localStorage: 'readonly', navigator: 'readonly', Intl: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (ARCHITECTURE.md convention 3).' },
        { selector: 'TSEnumDeclaration', message: 'Enums are not erasable; use a union of string literals.' },
      ],
    },
  },
  {
    // Domain files are pure: no clock, no randomness, no I/O (ARCHITECTURE.md convention 1).
    files: ['src/**/*.domain.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Domain code takes the time as an argument.' },
        { object: 'Math', property: 'random', message: 'Domain code takes randomness as an argument.' },
      ],
      'no-restricted-imports': ['error', { patterns: ['node:fs', 'node:net', 'node:http', 'pg', '@electric-sql/*', '**/*.repo.ts', '**/db/*'] }],
    },
  },
  {
    // Tools whose contract is a default export.
    files: ['vitest.config.ts', 'web/vite.config.ts', 'eslint.config.js', 'test/global-setup.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
