// @ts-check
/**
 * Lint for everything TypeScript in the repo: server (apps, libs), console, tests, bench and scripts.
 * `npm run lint` runs it; `.ci/run` runs it before the tests. Formatting is Prettier's (`npm run format:check`);
 * eslint-config-prettier switches off the rules that would fight it.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'docs/**']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig.json nearest to it (root, apps/console, scripts).
        projectService: { allowDefaultProject: ['apps/console/src/*.spec.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      // A promise nobody awaits loses its error: every fire-and-forget is written `void …` on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      // A switch over a union (a status, a job name, an event) must name every case or say `default`.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      // Libraries are used through their public entry point (@kapok/<lib>), never by a deep path into libs/*/src.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@kapok/[a-z-]+/',
              message: 'Import a library through its entry point (@kapok/<lib>), not a file inside it.',
            },
            {
              regex: '(^|/)libs/[a-z-]+/src/.+',
              message:
                'Import a library through its entry point (@kapok/<lib> or libs/<lib>/src), not a file inside it.',
            },
          ],
        },
      ],
    },
  },
  {
    // The contracts (types, codes, socket event maps) are bundled into the browser console as well as the server:
    // plain TypeScript, so no framework (@nestjs/*, class-validator, typeorm, pg …), no Node built-in and no other
    // @kapok library. It imports only its own files. (This replaces the deep-import rule above for these files.)
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              message:
                'libs/contracts is framework-free (shared with the browser console): plain TypeScript types and ' +
                '`as const` lists, importing only its own files (./x).',
            },
          ],
        },
      ],
    },
  },
  {
    // The console runs in the browser: browser globals, React hooks rules.
    files: ['apps/console/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    // Plain JavaScript (configs): no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
