// One esbuild script, one context per bundle. The extension's Node and browser entries and the webview
// join this list when they exist; the CLI bundles the whole engine into one file with no runtime dependency.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  {
    entryPoints: ['cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
];

const contexts = await Promise.all(
  bundles.map((options) =>
    esbuild.context({ bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', ...options }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
