// One esbuild script, one context per bundle: the CLI, the extension for Node (desktop `main`) and for the
// browser (VS Code for the Web's `browser`, the same entry), and the extension test suite for both hosts, plus
// the tiny extension-host program behind `npm start -- --check`. Prints each bundle's size and fails when an
// extension bundle passes 1 MB: it is loaded on every activation, in the browser over the network.
//
//   node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { updateGrammar } from './grammar.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const require = createRequire(import.meta.url);
const MAX_EXTENSION_BYTES = 1024 * 1024;

/** Every `*.test.ts` under `dir`, sorted, as paths relative to the repository. */
function findTests(dir) {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return findTests(path);
      return path.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

/**
 * The suite's test list. A bundle cannot read a directory at run time, so `cnn-lens:extension-tests` (imported by
 * test/extension/index.ts, declared in test/extension/tests.d.ts) is generated here: the file names, and a
 * `loadTests()` that `require`s each file only when called, after mocha has defined `describe` and `it`.
 */
const extensionTests = {
  name: 'extension-tests',
  setup(build) {
    build.onResolve({ filter: /^cnn-lens:extension-tests$/ }, () => ({
      path: 'extension-tests',
      namespace: 'cnn-lens',
    }));
    build.onLoad({ filter: /.*/, namespace: 'cnn-lens' }, () => {
      const files = findTests('test/extension');
      const requires = files.map((f) => `  require(${JSON.stringify('./' + f.split('\\').join('/'))});`).join('\n');
      return {
        contents: `export const files = ${JSON.stringify(files.map((f) => relative('test/extension', f)))};\nexport function loadTests() {\n${requires}\n}\n`,
        resolveDir: resolve('.'),
        // Rebuild in --watch when a test file is added or removed.
        watchDirs: [resolve('test/extension')],
        loader: 'js',
      };
    });
  },
};

/**
 * Node-only test dependencies, for Web Worker bundles: `mocha` is its prebuilt browser build (mocha's sources
 * need Node's modules), and Node's `assert` the npm `assert` package, which also needs a `process` (shims/).
 */
const browserTestDeps = {
  name: 'browser-test-deps',
  setup(build) {
    build.onResolve({ filter: /^mocha$/ }, () => ({ path: require.resolve('mocha/mocha.js') }));
    build.onResolve({ filter: /^(node:)?assert(\/strict)?$/ }, (args) => ({
      path: args.path.endsWith('/strict') ? resolve('scripts/shims/assert-strict.js') : require.resolve('assert/'),
    }));
  },
};

/**
 * ts-morph carries the TypeScript compiler (several MB): the code that uses it (tfjs/) is a bundle of its own,
 * dist/tfjs.js (tfjs/index.ts), that the CLI requires only when it reads or writes TensorFlow.js code.
 */
const tfjsApart = {
  name: 'tfjs-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/tfjs\/(export|index)$/ }, () => ({ path: './tfjs.js', external: true }));
  },
};

/**
 * ts-morph in a Web Worker (dist/tfjsWorker.web.js): Node's modules, which it imports at load but its in-memory
 * file system never calls, and tinyglobby (globbing real folders), resolve to an empty module.
 */
const nodeModulesAway = {
  name: 'node-modules-away',
  setup(build) {
    build.onResolve(
      {
        filter:
          /^(node:)?(fs|fs\/promises|os|path|crypto|perf_hooks|inspector|module|url|util|child_process|buffer|stream|events|worker_threads)$|^tinyglobby$|^source-map-support$/,
      },
      () => ({
        path: resolve('scripts/shims/empty.js'),
      }),
    );
  },
};

const extension = { entryPoints: ['extension/extension.ts'], format: 'cjs', external: ['vscode'] };
const browserTest = {
  platform: 'browser',
  format: 'cjs',
  external: ['vscode'],
  inject: ['scripts/shims/process.js'],
  define: { global: 'globalThis' },
  plugins: [extensionTests, browserTestDeps],
};

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  {
    entryPoints: ['cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    // The package's bin: executable, as an install from the registry would make it. `npx cnn-lens` in this
    // repository runs it through a link that npx makes once per path, so a rebuilt file must keep the mode itself.
    plugins: [
      tfjsApart,
      {
        name: 'executable',
        setup: (b) =>
          b.onEnd((r) => {
            if (!r.errors.length) chmodSync('dist/cli.js', 0o755);
          }),
      },
    ],
  },
  { entryPoints: ['tfjs/index.ts'], outfile: 'dist/tfjs.js', platform: 'node', target: 'node20', format: 'cjs' },
  { ...extension, outfile: 'dist/extension.js', platform: 'node', target: 'node20' },
  // The Node-only worker host (extension/worker/nodeHost.ts) requires these lazily; the browser never takes that path.
  {
    ...extension,
    outfile: 'dist/extension.web.js',
    platform: 'browser',
    target: 'es2022',
    external: ['vscode', 'node:worker_threads', 'node:os'],
  },
  // Engine workers, the same engine code for both hosts (extension/worker/): a Node worker thread, and a classic
  // Web Worker script (VS Code for the Web starts it through a blob that importScripts it, so not a module).
  {
    entryPoints: ['extension/worker/main.node.ts'],
    outfile: 'dist/worker.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
  },
  {
    entryPoints: ['extension/worker/main.web.ts'],
    outfile: 'dist/worker.web.js',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  },
  // The TensorFlow.js code reader for the editor (tfjs/worker.ts): ts-morph, loaded only when a file imports tfjs.
  {
    entryPoints: ['tfjs/worker.node.ts'],
    outfile: 'dist/tfjsWorker.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
  },
  {
    entryPoints: ['tfjs/worker.web.ts'],
    outfile: 'dist/tfjsWorker.web.js',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    plugins: [nodeModulesAway],
    define: { global: 'globalThis' },
  },
  // The backprop walkthrough view's script (extension/walkthrough/page.ts), loaded by its webview.
  {
    entryPoints: ['extension/walkthrough/page.ts'],
    outfile: 'dist/walkthrough.js',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  },
  // The network diagram's script (webview/diagram/main.ts) with dagre.
  {
    entryPoints: ['webview/diagram/main.ts'],
    outfile: 'dist/diagram.js',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  },
  // The gradient-check panel's script (webview/main.ts) with @vscode-elements/elements, and its CSS as dist/webview.css.
  {
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  },
  // Desktop suite: mocha stays external and is loaded from node_modules by VS Code's Node extension host.
  {
    entryPoints: ['test/extension/index.ts'],
    outfile: 'dist/test/suite.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    plugins: [extensionTests],
  },
  { ...browserTest, entryPoints: ['test/extension/index.ts'], outfile: 'dist/test/suite.web.js' },
  { ...browserTest, entryPoints: ['scripts/start-check.ts'], outfile: 'dist/test/check.web.js' },
];

await updateGrammar();

const contexts = await Promise.all(
  bundles.map((options) =>
    esbuild.context({
      bundle: true,
      sourcemap: !production,
      minify: production,
      logLevel: 'warning',
      metafile: true,
      ...options,
    }),
  ),
);

/** Prints each output's size; returns false when an extension bundle is over the limit. */
function report(results) {
  let ok = true;
  const sizes = [];
  for (const result of results) {
    for (const [file, { bytes }] of Object.entries(result.metafile?.outputs ?? {})) {
      if (file.endsWith('.map')) continue;
      const limited = /^dist\/((extension|worker)(\.web)?|webview)\.js$/.test(file);
      const over = limited && bytes > MAX_EXTENSION_BYTES;
      ok &&= !over;
      sizes.push(
        `${file} ${(bytes / 1024).toFixed(1)} KiB${over ? ` (over the ${MAX_EXTENSION_BYTES / 1024} KiB limit)` : ''}`,
      );
    }
  }
  console.log(`build: ${sizes.join(', ')}`);
  return ok;
}

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('build: watching for changes (Ctrl-C to stop)');
} else {
  let results;
  try {
    results = await Promise.all(contexts.map((c) => c.rebuild()));
  } catch {
    // esbuild has already printed the errors.
    process.exitCode = 1;
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
  if (results && !report(results)) {
    console.error('build: an extension bundle is over 1 MB');
    process.exitCode = 1;
  }
}
