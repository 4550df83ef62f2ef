/**
 * Blocks as groups in the diagram's webview script (bundled as the build does) in headless Chromium, with a
 * stand-in for VS Code's webview API: the uses the user opened and closed come back from the saved state after a
 * reload, Enter on a focused collapsed use opens it and saves that, and the cursor on a layer inside a collapsed
 * use highlights the use's node. Needs /usr/bin/chromium, like diagram-webview.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { diagramScript, launchChromium } from './chromium';
import { check } from '../../engine';
import { diagramModel } from '../../engine/editor/diagram';
import { diagramCss, themeVar } from '../../webview/diagram/style';

const ROOT = join(__dirname, '..', '..');

const PAGE = `<!doctype html><html><head><style>
html, body { height: 100%; margin: 0; overflow: hidden; } body { display: flex; flex-direction: column; }
#stage { flex: 1; overflow: hidden; position: relative; } #stage > svg { transform-origin: 0 0; position: absolute; left: 0; top: 0; }
${diagramCss(themeVar)}</style></head><body>
<header><span id="title"></span><span id="summary"></span><button id="forward">F</button><button id="backward">B</button>
<button id="direction">D</button><select id="overlay"><option value="none"></option><option value="params"></option></select>
<button id="fit">Fit</button><button id="save">Save</button></header><div id="stage" tabindex="0"></div></body></html>`;

type Shown = { type: string; expanded?: string[]; collapsed?: string[] };
type Window = { posted: Shown[]; saved?: { open?: Record<string, boolean> } };

describe('diagram webview: blocks as groups, in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let script = '';
  const model = diagramModel(check(readFileSync(join(ROOT, 'examples', 'zoo', 'resnet50.cnn'), 'utf8')));

  before(async () => {
    script = await diagramScript();
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  async function open(saved: unknown): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 800, height: 600 } });
    await page.setContent(PAGE);
    await page.addScriptTag({
      content: `window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => (${JSON.stringify(saved)}), setState: (s) => (window.saved = s) });`,
    });
    await page.addScriptTag({ content: script });
    await page.evaluate(
      (m) => window.postMessage({ type: 'model', file: 'resnet50.cnn', model: m, current: null, verdicts: [] }, '*'),
      model,
    );
    await shown(page, () => true);
    return page;
  }
  /** The last `shown` message once one satisfies `ready` (checked in the page). */
  async function shown(page: Page, ready: (s: Shown) => boolean): Promise<Shown> {
    const handle = await page.waitForFunction((f) => {
      const s = (window as unknown as Window).posted.filter((p) => p.type === 'shown').pop();
      return s && new Function('s', `return (${f})(s)`)(s) ? s : undefined;
    }, ready.toString());
    return (await handle.jsonValue()) as Shown;
  }

  it('restores the uses opened and closed before a reload; Enter on a collapsed use opens it and saves that', async () => {
    const page = await open({
      view: 'forward',
      direction: 'TB',
      overlay: 'none',
      open: { 'layer2.1': true, layer1_0: false },
    });
    const first = await shown(page, () => true);
    assert.deepEqual(first.expanded, ['layer2_0', 'layer2.1', 'layer3_0', 'layer4_0'], 'in the order of the network');
    assert.ok(first.collapsed!.includes('layer1_0') && !first.collapsed!.includes('layer2.1'));
    assert.equal(await page.$$eval('svg .frame', (f) => f.length), 4, 'one frame per open use');
    await page.focus('.node[data-group="layer3.1"]');
    await page.keyboard.press('Enter');
    const after = await shown(page, (s) => (s.expanded ?? []).includes('layer3.1'));
    assert.equal(after.collapsed!.includes('layer3.1'), false);
    const saved = await page.evaluate(() => (window as unknown as Window).saved);
    assert.deepEqual(saved?.open, { 'layer2.1': true, layer1_0: false, 'layer3.1': true });
    await page.close();
  });

  it('the cursor on a layer inside a collapsed use highlights the use, as it moves and after a redraw', async () => {
    const page = await open({ view: 'forward', direction: 'TB', overlay: 'none' });
    await page.evaluate(() => window.postMessage({ type: 'highlight', current: 'layer3.2.conv2' }, '*'));
    await page.waitForSelector('.node.current');
    assert.deepEqual(await page.$$eval('.node.current', (g) => g.map((x) => x.getAttribute('data-name'))), [
      'layer3.2',
    ]);
    // And when the model arrives with the cursor there (a redraw after an edit).
    await page.evaluate(
      (m) =>
        window.postMessage(
          { type: 'model', file: 'resnet50.cnn', model: m, current: 'layer4.1.bn1', verdicts: [] },
          '*',
        ),
      model,
    );
    await page.waitForSelector('.node.current[data-name="layer4.1"]');
    assert.deepEqual(await page.$$eval('.node.current', (g) => g.map((x) => x.getAttribute('data-name'))), [
      'layer4.1',
    ]);
    await page.close();
  });
});
