// Lint enforces the boundaries from CONVENTIONS.md mechanically:
// - src/core never imports React, Ink or src/ui;
// - execa / child_process only in src/core/exec.ts;
// - process.exit only in src/cli.ts;
// - no console.* inside src/ui (it tears the Ink frame).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const uiImports = {
  paths: [
    { name: 'ink', message: 'src/core must stay UI-free.' },
    { name: 'react', message: 'src/core must stay UI-free.' },
    { name: 'ink-testing-library', message: 'src/core must stay UI-free.' },
  ],
  patterns: [{ group: ['**/ui/**', 'ink-*', '@inkjs/*'], message: 'src/core must stay UI-free.' }],
};
const processImports = [
  { name: 'execa', message: 'Child processes go through src/core/exec.ts only.' },
  { name: 'child_process', message: 'Child processes go through src/core/exec.ts only.' },
  { name: 'node:child_process', message: 'Child processes go through src/core/exec.ts only.' },
];
const noExit = {
  selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
  message: 'Only src/cli.ts ends the process; throw a RunbookError instead.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/.out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { paths: processImports }],
      'no-restricted-syntax': ['error', noExit],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [...uiImports.paths, ...processImports], patterns: uiImports.patterns }],
    },
  },
  { files: ['src/core/exec.ts'], rules: { 'no-restricted-imports': ['error', uiImports] } },
  { files: ['src/cli.ts'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['src/ui/**/*.ts', 'src/ui/**/*.tsx'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', AbortController: 'readonly' } },
  },
  {
    // a preload for `node -r`: CommonJS by necessity
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
);
