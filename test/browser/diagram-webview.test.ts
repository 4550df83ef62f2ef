/**
 * The diagram's webview script (webview/diagram/main.ts, bundled for the browser as the build does) in headless
 * Chromium, on a page with the panel's elements and stylesheet, talking to a stand-in for VS Code's webview API
 * that records what the script posts and hands it a saved state: the saved view comes back after a reload, a
 * 200-layer network fitted to the stage writes no text until `+` zooms in to where text is readable, and then
 * only the labels in view; `0` fits again; a PNG export is the figure at twice its size.
 * Needs /usr/bin/chromium, like engine-worker.test.ts.
 */
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { check } from '../../engine';
import { diagramModel } from '../../engine/editor/diagram';
import { residualNetwork } from '../../bench/check.bench';
import { diagramCss, themeVar } from '../../webview/diagram/style';

const CHROMIUM = process.env.CNN_LENS_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');

const PAGE = `<!doctype html><html><head><style>
html, body { height: 100%; margin: 0; overflow: hidden; } body { display: flex; flex-direction: column; }
#stage { flex: 1; overflow: hidden; position: relative; } #stage > svg { transform-origin: 0 0; position: absolute; left: 0; top: 0; }
${diagramCss(themeVar)}</style></head><body>
<header><span id="title"></span><span id="summary"></span><button id="forward">F</button><button id="backward">B</button>
<button id="direction">D</button><select id="overlay"><option value="none"></option><option value="params"></option><option value="macs"></option><option value="memory"></option></select>
<button id="fit">Fit</button><button id="save">Save</button></header><div id="stage" tabindex="0"></div></body></html>`;

/** VS Code's webview API as the script sees it: posted messages are kept, the saved state is the test's. */
const API = (saved: unknown) => `
window.posted = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => (${JSON.stringify(saved)}), setState: (s) => (window.saved = s) });
`;

type Posted = { type: string; view?: string; nodes?: string[]; format?: string; data?: string };

describe('diagram webview in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let script = '';

  before(async () => {
    const b = await esbuild.build({
      entryPoints: [join(ROOT, 'webview', 'diagram', 'main.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    script = b.outputFiles[0].text;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => browser?.close());

  async function open(saved: unknown, model: unknown): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 800, height: 600 } });
    await page.setContent(PAGE);
    await page.addScriptTag({ content: API(saved) });
    await page.addScriptTag({ content: script });
    await page.evaluate(
      (m) => window.postMessage({ type: 'model', file: 'big.cnn', model: m, current: null, verdicts: [] }, '*'),
      model,
    );
    await page.waitForFunction(() =>
      (window as unknown as { posted: Posted[] }).posted.some((p) => p.type === 'shown'),
    );
    return page;
  }
  const names = (page: Page) => page.$$eval('svg .labels text.name', (ts) => ts.map((t) => t.textContent));
  const posted = (page: Page) => page.evaluate(() => (window as unknown as { posted: Posted[] }).posted);

  it('restores the saved view, writes text only where readable and in view, zooms with + and fits with 0', async () => {
    const model = diagramModel(check(residualNetwork({ layers: 200 }, [3, 32, 32], [16, 32])));
    const page = await open({ view: 'backward', direction: 'TB', overlay: 'params' }, model);
    const shown = (await posted(page)).find((p) => p.type === 'shown')!;
    assert.equal(shown.view, 'backward', 'the saved view is restored');
    assert.equal(shown.nodes?.length, model.nodes.length);
    assert.equal(await page.getAttribute('#backward', 'aria-pressed'), 'true');
    assert.equal(await page.$$eval('svg .node', (g) => g.length), model.nodes.length, 'every node is drawn');
    assert.deepEqual(await names(page), [], 'fitted, 200 layers are too small to read: no text');
    const fitted = await page.$eval('svg', (s) => (s as SVGSVGElement).style.transform);
    await page.focus('#stage');
    for (let i = 0; i < 12; i++) await page.keyboard.press('+');
    await page.waitForFunction(() => document.querySelectorAll('svg .labels text.name').length > 0);
    const shownNames = await names(page);
    assert.ok(
      shownNames.length < model.nodes.length / 2,
      `only the nodes in view and near it are named: ${shownNames.length}`,
    );
    // Each named node is within half a stage of the view.
    const far = await page.evaluate((ids) => {
      const stage = document.getElementById('stage')!.getBoundingClientRect();
      return ids.filter((id) => {
        const r = document.querySelector(`.node[data-name="${id}"] rect`)!.getBoundingClientRect();
        return r.bottom < stage.top - stage.height || r.top > stage.bottom + stage.height;
      });
    }, shownNames as string[]);
    assert.deepEqual(far, []);
    await page.keyboard.press('0');
    assert.equal(await page.$eval('svg', (s) => (s as SVGSVGElement).style.transform), fitted, '0 fits again');
    await page.waitForFunction(() => document.querySelectorAll('svg .labels text').length === 0);
    await page.close();
  });

  it('a PNG export is the SVG figure at twice its size', async () => {
    const model = diagramModel(check(residualNetwork({ layers: 20 }, [3, 32, 32], [16])));
    const page = await open({ view: 'forward', direction: 'TB', overlay: 'none' }, model);
    const size = await page.$eval('svg', (s) => [Number(s.getAttribute('width')), Number(s.getAttribute('height'))]);
    await page.evaluate(() => window.postMessage({ type: 'export', format: 'png', theme: 'print' }, '*'));
    await page.waitForFunction(() =>
      (window as unknown as { posted: Posted[] }).posted.some((p) => p.type === 'exported'),
    );
    const png = Buffer.from(
      (await posted(page)).find((p) => p.type === 'exported')!.data!.replace('data:image/png;base64,', ''),
      'base64',
    );
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [2 * size[0], 2 * size[1]]);
    await page.close();
  });
});
