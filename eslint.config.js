// ESLint (flat config) with typescript-eslint's recommended rules; run by `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.assent/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', crypto: 'readonly', structuredClone: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', URLSearchParams: 'readonly', Headers: 'readonly', RequestInit: 'readonly', NodeJS: 'readonly', module: 'writable', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Bundled code imports zod as a namespace: esbuild then keeps only the zod it uses, where the
    // `z` object of `import { z }` keeps all of it (see lib/bundling/zod.mjs).
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > :matches(ImportSpecifier[imported.name='z'][importKind!='type'], ImportDefaultSpecifier)",
          message: "Write `import * as z from 'zod'`: esbuild keeps only the zod a namespace import uses, but all of zod for the `z` object.",
        },
      ],
      'no-restricted-imports': ['error', { patterns: [{ group: ['zod/*'], message: "Import zod's root only: the Lambda bundles alias `zod` to lib/bundling/zod.mjs, where subpaths do not resolve." }] }],
    },
  },
  {
    // The console runs in the browser: its globals, and no Node ones.
    files: ['functions/console/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: { document: 'readonly', window: 'readonly', location: 'readonly', sessionStorage: 'readonly', atob: 'readonly', Node: 'readonly', fetch: 'readonly', URLSearchParams: 'readonly', console: 'readonly' },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
