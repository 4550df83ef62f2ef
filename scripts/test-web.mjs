// Runs the extension test suite (test/extension/**/*.test.ts) in a real VS Code for the Web, offline and
// headless: builds, serves the workbench with examples/ as the workspace (scripts/web-host.mjs), opens it in
// Chromium, streams the suite's output, and exits with its result after a closing `N passed, N failed` line.
//
//   node scripts/test-web.mjs [--grep PATTERN] [--screenshots] [--theme dark|light] [--timeout SECONDS] [--verbose]
//
// Screenshots: with --screenshots, a test that awaits `screenshot(NAME)` (test/extension/screenshot.ts) makes
// this runner save the page to docs/images/NAME.png (NAME-light.png under --theme light) before the test goes
// on. Without it the call returns at once, so `npm test` leaves docs/images alone. A test that awaits
// `inWebview(…)` (test/extension/webview.ts) has this runner click or type in the visible webview.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bounded, launchChromium, requireWebHost, ROOT, serve, openWorkbench } from './web-host.mjs';

const { values: args } = parseArgs({
  options: {
    grep: { type: 'string' },
    theme: { type: 'string', default: 'dark' },
    timeout: { type: 'string', default: '900' },
    screenshots: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
if (!['dark', 'light'].includes(args.theme)) {
  console.error(`test-web: --theme ${args.theme}: use dark or light`);
  process.exit(2);
}

const started = performance.now();
requireWebHost();
if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' }).status !== 0)
  process.exit(1);

/** The workbench's own start-up chatter, dropped from the output unless --verbose. */
const CHATTER =
  /^(Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|Found additional builtin location extensions|Loading development extension at|vscode-test-web-support fs provider|\[AgentHost:|\[AccountPolicyGate\]|Ignoring the error while validating workspace folder|Request to '[^']*package\.nls\.json' failed with status code 404|Canceled$|ENOPRO:|CodeExpectedError)/;

/** Counts from mocha's spec reporter: "  12 passing (3s)", "  1 failing", "  2 pending". */
const counts = { passing: 0, failing: 0, pending: 0 };
let page;
let server;
let browser;

async function shutDown() {
  await browser?.close().catch(() => {});
  await server?.close();
}
const cancelTimeout = bounded(Number(args.timeout) * 1000, 'extension tests (web)', async () => {
  console.log(`extension-web: ${counts.passing} passed, ${counts.failing + 1} failed`);
  await shutDown();
});

const images = join(ROOT, 'docs', 'images');
server = await serve({
  extensionTestsPath: join(ROOT, 'dist', 'test', 'suite.web.js'),
  handlers: {
    options: () => ({ theme: args.theme, ...(args.grep ? { grep: args.grep } : {}) }),
    // Acts in the visible webview as a user would (test/extension/webview.ts): `{ action, selector, value? }`
    // (click, hover, fill, press),
    // a Playwright selector inside the webview's document (it pierces the custom elements' shadow roots).
    webview: async ({ body }) => {
      const { action, selector, value } = JSON.parse(body);
      const frame = page
        .locator('iframe.webview.ready')
        .filter({ visible: true })
        .last()
        .contentFrame()
        .locator('#active-frame')
        .contentFrame();
      const target = frame.locator(selector).first();
      const options = { timeout: 10_000 };
      if (action === 'click') await target.click(options);
      // A straight SVG line has an empty box, which Playwright takes for invisible: hover its box's centre anyway.
      else if (action === 'hover') await target.hover({ ...options, force: true });
      else if (action === 'fill') await target.fill(String(value), options);
      else if (action === 'press') await target.press(String(value), options);
      else throw new Error(`webview: unknown action ${JSON.stringify(action)}`);
    },
    // The text of every element matching `{ selector, state }` (a Playwright selector) in the visible webview,
    // waiting up to 10 s for one to be in `state` (visible, hidden or attached; test/extension/webview.ts).
    webviewTexts: async ({ body }) => {
      const { selector, state } = JSON.parse(body);
      const frame = page
        .locator('iframe.webview.ready')
        .filter({ visible: true })
        .last()
        .contentFrame()
        .locator('#active-frame')
        .contentFrame();
      await frame.locator(selector).first().waitFor({ state, timeout: 10_000 });
      return frame.locator(selector).allTextContents();
    },
    // Clicks in the workbench itself (a notification's button, say) as a user would: `{ selector }`, a
    // Playwright selector in the page, waited for up to 20 s (test/extension/webview.ts).
    workbench: async ({ body }) => {
      const { selector } = JSON.parse(body);
      await page.locator(selector).first().click({ timeout: 20_000 });
    },
    // The text of every element in the workbench's page that matches `{ selector }` (a CSS selector), e.g. the
    // code lenses of every visible editor, in document order.
    texts: async ({ body }) => {
      const { selector } = JSON.parse(body);
      return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent ?? ''), selector);
    },
    // Resizes the page (the browser window) to `{ width, height }` CSS pixels.
    viewport: async ({ body }) => {
      const { width, height } = JSON.parse(body);
      await page.setViewportSize({ width, height });
    },
    // Widths in the visible webview after two frames (layout and any redraw done): the document's, and every
    // element's that scrolls sideways or is cut, as `{ selector, clientWidth, scrollWidth }`.
    measure: async () => {
      const frame = page
        .locator('iframe.webview.ready')
        .filter({ visible: true })
        .last()
        .contentFrame()
        .locator('#active-frame')
        .contentFrame();
      return frame.locator('html').evaluate(
        () =>
          new Promise((resolve) =>
            requestAnimationFrame(() =>
              requestAnimationFrame(() => {
                const name = (e) =>
                  e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '') + [...e.classList].map((c) => `.${c}`).join('');
                const all = [document.documentElement, ...document.body.querySelectorAll('*')];
                resolve(
                  all
                    .filter(
                      (e) =>
                        e === document.documentElement ||
                        (e.scrollWidth > e.clientWidth + 1 &&
                          getComputedStyle(e).overflowX !== 'visible' &&
                          getComputedStyle(e).textOverflow !== 'ellipsis'),
                    )
                    .map((e) => ({ selector: name(e), clientWidth: e.clientWidth, scrollWidth: e.scrollWidth })),
                );
              }),
            ),
          ),
      );
    },
    screenshot: async ({ query }) => {
      const name = query.get('name') ?? '';
      if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`bad screenshot name ${JSON.stringify(name)}`);
      if (!args.screenshots) return;
      mkdirSync(images, { recursive: true });
      const path = join(images, `${name}${args.theme === 'light' ? '-light' : ''}.png`);
      await page.screenshot({ path });
      console.log(`[screenshot] ${name}: saved ${path.slice(ROOT.length + 1)}`);
    },
  },
});

browser = await launchChromium();
let exited;
const exit = new Promise((resolve) => (exited = resolve));
page = await openWorkbench(browser, server.url, {
  verbose: args.verbose,
  onLog: (type, text) => {
    for (const line of text.split('\n')) {
      const m = /^\s*(\d+) (passing|failing|pending)\b/.exec(line);
      if (m) counts[m[2]] = Number(m[1]);
    }
    if (!args.verbose && CHATTER.test(text)) return;
    (type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
  },
  onExit: exited,
});
const exitCode = await exit;
cancelTimeout();
await shutDown();

const seconds = ((performance.now() - started) / 1000).toFixed(1);
// A suite that failed before mocha reported (e.g. it did not load) counts as one failure.
const failed = exitCode !== 0 && counts.failing === 0 ? 1 : counts.failing;
console.log(`extension tests in VS Code for the Web (${args.theme} theme): ${seconds} s, exit ${exitCode}`);
console.log(
  `extension-web: ${counts.passing} passed, ${failed} failed${counts.pending ? `, ${counts.pending} skipped` : ''}`,
);
process.exit(exitCode === 0 && failed === 0 && counts.passing > 0 ? 0 : 1);
