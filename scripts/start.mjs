// `npm start [-- --port N]`: builds, then serves VS Code for the Web with the extension loaded and examples/
// open, until Ctrl-C. Open the printed http://vscode.localhost:PORT/ in a Chromium-based browser (they resolve *.localhost
// to this machine; webviews need the page on a host with subdomains).
//
// `npm start -- --check [FILE]`: the same server, but headless Chromium opens FILE (a path in examples/,
// default seed.cnn), and the extension's diagnostics for it are printed as `line:column severity code message`
// (1-based). Exits 0 once the file was analysed, 1 on a timeout or when the extension could not answer.
// How: the page opens the file through the workbench's `?payload=[["openFile", …]]` query, and
// scripts/start-check.ts, loaded as the extension-tests module, waits for that editor, runs
// `cnnLens.dumpDiagnostics` and posts the answer to this script.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bounded, launchChromium, openFileQuery, openWorkbench, requireWebHost, ROOT, serve } from './web-host.mjs';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    check: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    timeout: { type: 'string', default: '120' },
    verbose: { type: 'boolean', default: false },
  },
});

if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' }).status !== 0)
  process.exit(1);

if (!args.check) {
  const server = await serve({ port: Number(args.port) });
  console.log(`\nVS Code for the Web with CNN Lens and examples/: open ${server.url} in Chrome, Chromium or Edge.`);
  console.log('(*.localhost resolves to this machine in Chromium-based browsers.) Ctrl-C stops the server.');
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
} else {
  const file = positionals[0] ?? 'seed.cnn';
  if (!existsSync(join(ROOT, 'examples', file))) {
    console.error(`check: examples/${file} does not exist`);
    process.exit(2);
  }
  requireWebHost();
  /** @type {{ dump?: { uri: string, version: number, diagnostics: { line: number, column: number, severity: string, code: string, message: string }[] }, error?: string } | undefined} */
  let result;
  let browser;
  const server = await serve({
    extensionTestsPath: join(ROOT, 'dist', 'test', 'check.web.js'),
    handlers: {
      options: () => ({ file }),
      result: ({ body }) => void (result = JSON.parse(body)),
    },
  });
  const shutDown = async () => {
    await browser?.close().catch(() => {});
    await server.close();
  };
  const cancelTimeout = bounded(
    Number(args.timeout) * 1000,
    `check of examples/${file} in VS Code for the Web`,
    shutDown,
  );
  browser = await launchChromium();
  let exited;
  const exit = new Promise((resolve) => (exited = resolve));
  await openWorkbench(browser, server.url + openFileQuery(file), {
    verbose: args.verbose,
    // The workbench's own chatter is printed only with --verbose: a failure's reason comes in `result`.
    onLog: (type, text) => args.verbose && (type === 'error' ? console.error(text) : console.log(text)),
    onExit: exited,
  });
  const exitCode = await exit;
  cancelTimeout();
  await shutDown();
  const dump = result?.dump;
  if (exitCode !== 0 || !dump) {
    console.error(
      `check: VS Code could not analyse examples/${file}: ${result?.error ?? `the check ended with code ${exitCode} and no answer (rerun with --verbose)`}`,
    );
    process.exit(1);
  }
  console.log(
    `examples/${file} (${dump.uri}, version ${dump.version}): ${dump.diagnostics.length} diagnostic${dump.diagnostics.length === 1 ? '' : 's'}`,
  );
  for (const d of dump.diagnostics) console.log(`${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`);
  process.exit(0);
}
