// ESLint (flat config) with typescript-eslint's type-aware rules: what review kept catching by hand (floating and misused
// promises, unused code, unsafe `any`) is now the linter's job. Formatting is Prettier's (eslint-config-prettier turns
// off every stylistic rule so the two never disagree). `npm run lint` runs this, Prettier's check and the layer check.
import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'src/ari/types.generated.ts', 'vendor/**', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests read HTTP and Redis answers as JSON and assert on them with expect(): `any` there is checked by the assertion
    // that follows, so the no-unsafe-* family would only add casts. Promise rules stay on.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
      // Failure messages print whatever a test got, objects included.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    // The dashboard's browser code and the bin shims are plain JavaScript: the core rules, without type information.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  { files: ['src/dashboard/static/**/*.js'], languageOptions: { globals: globals.browser } },
  { files: ['bin/**/*.js', 'eslint.config.js'], languageOptions: { globals: globals.node } },
  prettier,
);
