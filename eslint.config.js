// ESLint flat config: typescript-eslint with type information on src/, test/, bench/, scripts/ and
// web/ (the browser app, checked against its own tsconfig with DOM types).
// Formatting is Prettier's job (see .prettierrc.json); eslint-config-prettier comes last and
// turns off every stylistic rule that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'src/generated/**',
      'node_modules/**',
      'web/dist/**',
      'web/src/api/schema.d.ts',
      'dist/**',
      'test/e2e/screenshots/**',
      'data/**',
      '.scratch/**',
      'coverage/**',
    ],
  },

  // Plain JavaScript (scripts/*.mjs, this file): no type information, Node globals.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly' },
    },
  },

  // TypeScript with type information (the projectService finds the nearest tsconfig.json:
  // the root one for src, test, bench and scripts; web/tsconfig.json and test/e2e/tsconfig.json
  // for the browser code and the browser tests).
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'web/**/*.ts', 'web/**/*.tsx'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Correctness rules this project relies on, all errors. Most already come with
      // recommendedTypeChecked; they are named here so that a preset change cannot drop them.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',

      // Off: an async function without await is how Fastify handlers and hooks, and the
      // Promise-returning callbacks the tests hand to Batcher, are written. It is not a bug:
      // `async` makes a throw a rejection, which is the point in several of them, and rewriting
      // them as plain functions would change that.
      '@typescript-eslint/require-await': 'off',
      // The codebase marks deliberately unused bindings with a leading underscore (`(_req, res)`,
      // `const { lr: _lr, ...rest }`); a rest sibling is how a key is dropped from a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },

  // Tests read responses with light-my-request's `res.json()`, which is `any` by design, and check
  // them with expect(); typing every response would restate the API's schemas in the tests.
  // The unsafe-any rules are therefore off in test/ only; the other correctness rules stay on.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },

  prettier,
);
