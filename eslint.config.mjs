// The house rules a tool can check (`npm run lint`, part of `npm test`):
// - typescript-eslint's recommended rules, Prettier for layout (eslint-config-prettier turns off
//   the rules that would fight it);
// - no import cycles anywhere in ts/ (import-x/no-cycle);
// - the layers: core knows nothing above it; every layer reaches another only through that
//   layer's entry (index.ts, and persist/types.ts for the persistence vocabulary), so internals
//   can move without touching their users; only ts/binding.ts loads the addon.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Imports of a layer's internals from outside it: `../core/device`, `../../persist/ifupdown`. */
const internals = (layer, entries = []) => ({
  group: [`**/${layer}/*`, ...entries.map((e) => `!**/${layer}/${e}`)],
  message: `reach ${layer}/ through its entry (${['index', ...entries].join(', ')}), not its internals`,
});
const layer = (name) => ({ group: [`**/${name}`, `**/${name}/*`], message: `this layer must not depend on ${name}/` });
const ADDON = { name: 'node-gyp-build', message: 'only ts/binding.ts loads the addon' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'prebuilds/**', 'build/**', 'test/fixtures/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    // The plugin parses the files an import reaches with this parser (espree cannot read TS).
    settings: { 'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] }, 'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'] })] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The kernel's \xNN escapes, its control bytes and terminal colours are matched on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests, benchmarks and scripts may require() (child scripts, the built dist/, fresh loads).
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', setTimeout: 'readonly', Buffer: 'readonly' } },
  },
  {
    // The Ansible module: a Node script without an extension (Ansible names modules by file name).
    files: ['examples/ansible/library/nic_offload'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['ts/**/*.ts'],
    ignores: ['ts/binding.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [ADDON] }] },
  },
  {
    files: ['ts/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [ADDON], patterns: [layer('format'), layer('persist'), layer('doctor'), layer('cli')] }],
    },
  },
  {
    files: ['ts/format/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [ADDON], patterns: [internals('core'), layer('persist'), layer('doctor'), layer('cli')] }],
    },
  },
  {
    files: ['ts/persist/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [ADDON], patterns: [internals('core'), layer('doctor'), layer('cli')] }],
    },
  },
  {
    files: ['ts/doctor/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [ADDON], patterns: [internals('core'), internals('persist', ['types']), layer('cli')] }],
    },
  },
  {
    files: ['ts/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ADDON],
          patterns: [
            internals('core'),
            internals('persist', ['types']),
            internals('doctor'),
            { group: ['**/binding'], message: 'the CLI goes through the public API, never the binding' },
          ],
        },
      ],
    },
  },
);
