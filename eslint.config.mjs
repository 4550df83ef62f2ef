// The linter, small: ESLint's and typescript-eslint's recommended rules over the TypeScript sources, run by
// `npm test` (npm run lint). Formatting is prettier's (npm run format), not the linter's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The TypeScript sources; the few .mjs build scripts are plain Node and checked by running them.
  { ignores: ['dist/', 'node_modules/', '.vscode-test/', '.vscode-test-web/', 'out/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Unused names are the compiler's to report (noUnusedLocals, noUnusedParameters), with its own conventions.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
);
