// The `process` global that the npm `assert` and `util` packages expect, for test bundles that run in a Web
// Worker (VS Code for the Web's extension host). Injected by scripts/build.mjs into browser test bundles only.
export const process = {
  env: {},
  argv: [],
  platform: 'browser',
  version: '',
  versions: {},
  browser: true,
  cwd: () => '/',
  nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
  emitWarning: () => {},
};
