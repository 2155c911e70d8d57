// Lint, including the layering rules: shared/ imports nothing platform-specific, renderer/ only
// shared/, and only the Electron entry and preload import 'electron'.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'net',
  'dgram',
  'http',
  'https',
  'stream',
  'events',
  'url',
  'util',
  'zlib',
  'tls',
  'dns',
  'readline',
  'worker_threads',
];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-artifacts/**', 'coverage/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-control-regex': 'off',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'Only main/electron/main.ts and preload.ts import electron.' },
          ],
        },
      ],
    },
  },
  {
    files: ['main/electron/main.ts', 'main/electron/preload.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'shared/ is platform-free.' },
            { name: 'react', message: 'shared/ is platform-free.' },
          ],
          patterns: [
            { group: nodeBuiltins, message: 'shared/ must not import Node built-ins.' },
            {
              group: ['**/main/**', '../main/*', '../../main/*', '**/renderer/**'],
              message: 'shared/ imports only shared/ and pure packages (zod, yaml).',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require', '__dirname'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer talks to the back end only through the contract client.',
            },
          ],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer is sandboxed: no Node built-ins.' },
            {
              group: ['**/main/**', '../main/*', '../../main/*', '../../../main/*'],
              message: 'renderer/ may import shared/ only, never main/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.{ts,mjs}', 'scripts/**/*.mjs'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
