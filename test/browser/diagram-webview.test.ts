/**
 * The diagram's webview script (webview/diagram/main.ts, bundled for the browser as the build does) in headless
 * Chromium, on a page with the panel's elements, stylesheet and content security policy, talking to a stand-in for
 * VS Code's webview API that records what the script posts and hands it a saved state: the saved view comes back
 * after a reload, a 200-layer network fitted to the stage writes no text until `+` zooms in to where text is
 * readable, and then only the labels in view; `0` fits again. A saved SVG, in the print or the current theme,
 * stands alone and renders at its size in its embedded font; a PNG export is the figure at twice its size, in
 * that font too. Hovering an edge shows its producer and readers; the save menu asks for a format and a theme.
 * Needs /usr/bin/chromium, like engine-worker.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { diagramScript, launchChromium } from './chromium';
import { check } from '../../engine';
import { diagramModel } from '../../engine/editor/diagram';
import { residualNetwork } from '../../bench/check.bench';
import { diagramCss, themeVar } from '../../webview/diagram/style';
import { FONT_FAMILY, FONT_RANGES } from '../../webview/diagram/font';
import type { VerdictView } from '../../extension/diagram/protocol';
import { parseFigure, standsAlone } from '../figure';

/** The theme the page is in (VS Code sets these on the webview's root): a few of Dark Modern's colours. */
const DARK = { 'editor-background': '#1f1f1f', foreground: '#cccccc', 'textLink-foreground': '#4daafc' };

const ROOT = join(__dirname, '..', '..');

/** The panel's page, under its content security policy (scripts and styles inline here, by nonce there), in a dark theme. */
const PAGE = `<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:;">
<style>
html { ${Object.entries(DARK)
  .map(([k, v]) => `--vscode-${k}: ${v};`)
  .join(' ')} }
html, body { height: 100%; margin: 0; overflow: hidden; } body { display: flex; flex-direction: column; }
#tip { position: fixed; white-space: pre; pointer-events: none; } #tip[hidden] { display: none; }
#stage { flex: 1; overflow: hidden; position: relative; } #stage > svg { transform-origin: 0 0; position: absolute; left: 0; top: 0; }
${diagramCss(themeVar)}</style></head><body>
<header><span id="title"></span><span id="summary"></span><button id="forward">F</button><button id="backward">B</button>
<button id="direction">D</button><select id="overlay"><option value="none"></option><option value="params"></option><option value="macs"></option><option value="memory"></option></select>
<button id="fit">Fit</button><select id="save"><option value=""></option><option value="svg current"></option><option value="svg print"></option></select></header><div id="stage" tabindex="0"></div></body></html>`;

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
    script = await diagramScript();
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  async function open(saved: unknown, model: unknown, verdicts: readonly VerdictView[] = []): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 800, height: 600 } });
    await page.setContent(PAGE);
    await page.addScriptTag({ content: API(saved) });
    await page.addScriptTag({ content: script });
    await page.evaluate(
      ([m, v]) => window.postMessage({ type: 'model', file: 'big.cnn', model: m, current: null, verdicts: v }, '*'),
      [model, verdicts] as const,
    );
    await page.waitForFunction(() =>
      (window as unknown as { posted: Posted[] }).posted.some((p) => p.type === 'shown'),
    );
    return page;
  }
  /** Asks the page for the figure, as the panel's save does, and returns what it sends back. */
  async function exported(page: Page, format: 'svg' | 'png', theme: 'print' | 'current'): Promise<string> {
    await page.evaluate(() => ((window as unknown as { posted: Posted[] }).posted = []));
    await page.evaluate((m) => window.postMessage(m, '*'), { type: 'export', format, theme });
    await page.waitForFunction(() =>
      (window as unknown as { posted: Posted[] }).posted.some((p) => p.type === 'exported'),
    );
    return (await posted(page)).find((p) => p.type === 'exported')!.data!;
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

  for (const [theme, background, text] of [
    ['print', 'rgb(255, 255, 255)', 'rgb(31, 31, 31)'],
    ['current', 'rgb(31, 31, 31)', 'rgb(204, 204, 204)'],
  ] as const)
    it(`an SVG export in the ${theme} theme parses, names every layer, fetches nothing, and renders in its embedded font at its size`, async () => {
      // seed.cnn's backward view after a failing check writes the most kinds of character: δ rules, ✓ and ✗.
      const model = diagramModel(check(readFileSync(join(ROOT, 'examples', 'seed.cnn'), 'utf8')));
      const ids = model.nodes.map((n) => n.id);
      const verdicts = ids.map((id, i) => ({ id, passed: i % 2 === 0, maxError: 0.25, blamed: id === 'p1' }));
      const page = await open({ view: 'backward', direction: 'TB', overlay: 'params' }, model, verdicts);
      const svg = await exported(page, 'svg', theme);
      const figure = parseFigure(svg);
      assert.equal(figure.root, 'svg http://www.w3.org/2000/svg');
      assert.deepEqual(figure.nodes, ids);
      assert.deepEqual(figure.names, ids, "each node writes its layer's name");
      assert.deepEqual(
        figure.refs.filter((r) => !standsAlone(r)),
        [],
        'no reference to anything outside',
      );
      assert.equal(figure.refs.filter((r) => r.startsWith('data:font/woff2;base64,')).length, 2, 'two weights');

      // The file alone, as a browser opens it: a document of its own, no page around it, no fonts but its own.
      const view = await browser!.newPage();
      await view.goto(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
      const drawn = await view.evaluate(
        async ([family, ranges]) => {
          await document.fonts.ready;
          const root = document.documentElement as unknown as SVGSVGElement;
          const box = root.getBoundingClientRect();
          const texts = Array.from(root.querySelectorAll('text'));
          // A character the embedded font lacks would be drawn in the fallback, serif: not 0.6 em wide.
          const canvas = document.createElementNS('http://www.w3.org/1999/xhtml', 'canvas') as HTMLCanvasElement;
          const context = canvas.getContext('2d')!;
          context.font = `12px "${family}", serif`;
          const chars = ranges.flatMap(([a, b]) =>
            Array.from({ length: b - a + 1 }, (_, i) => String.fromCodePoint(a + i)),
          );
          const faces: string[] = [];
          document.fonts.forEach((f) => faces.push(`${f.family.replace(/"/g, '')} ${f.weight} ${f.status}`));
          return {
            faces,
            size: [box.width, box.height, Number(root.getAttribute('width')), Number(root.getAttribute('height'))],
            background: getComputedStyle(root).backgroundColor,
            nameFill: getComputedStyle(root.querySelector('text.name')!).fill,
            texts: texts.map((t) => [t.textContent ?? '', t.getComputedTextLength()] as const),
            widths: chars.map((c) => [c, context.measureText(c).width] as const),
          };
        },
        [FONT_FAMILY, FONT_RANGES] as const,
      );
      await view.close();
      assert.deepEqual(drawn.faces.sort(), [`${FONT_FAMILY} 400 loaded`, `${FONT_FAMILY} 700 loaded`]);
      assert.deepEqual(drawn.size.slice(0, 2), drawn.size.slice(2), 'drawn at the size it declares');
      assert.equal(drawn.background, background);
      assert.equal(drawn.nameFill, text);
      // DejaVu Sans Mono's advance is 1233/2048 em, the 0.6 em the layout sizes every box by (within 0.4 %).
      const advance = (12 * 1233) / 2048;
      const off = drawn.texts.filter(([t, w]) => Math.abs(w - t.length * advance) > 0.01 * t.length + 0.01);
      assert.deepEqual(off, [], 'every line is its characters × one advance wide');
      assert.ok(drawn.texts.some(([t]) => t.includes('⋆')) && drawn.texts.some(([t]) => t.startsWith('✗')));
      // (A combining accent, ̂, takes no width of its own.)
      const missing = drawn.widths.filter(([c, w]) => Math.abs(w - (/\p{Mn}/u.test(c) ? 0 : advance)) > 0.01);
      assert.deepEqual(missing, [], 'the embedded font has every character of its ranges');
      await page.close();
    });

  it('a PNG export is the SVG figure at twice its size', async () => {
    const model = diagramModel(check(residualNetwork({ layers: 20 }, [3, 32, 32], [16])));
    const page = await open({ view: 'forward', direction: 'TB', overlay: 'none' }, model);
    const size = await page.$eval('svg', (s) => [Number(s.getAttribute('width')), Number(s.getAttribute('height'))]);
    const png = Buffer.from((await exported(page, 'png', 'print')).replace('data:image/png;base64,', ''), 'base64');
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [2 * size[0], 2 * size[1]]);
    await page.close();
  });

  it("a PNG export draws its text in the embedded font, under the panel's content security policy", async () => {
    const model = diagramModel(check(readFileSync(join(ROOT, 'examples', 'seed.cnn'), 'utf8')));
    const page = await open({ view: 'backward', direction: 'TB', overlay: 'none' }, model);
    const png = await exported(page, 'png', 'print');
    const svg = await exported(page, 'svg', 'print');
    // The same figure drawn the same way with another fallback font: serif, which is not monospaced. If the PNG's
    // text fell back (the font blocked or not loaded in time), serif would change it; the embedded font must not.
    const draw = (text: string) =>
      page.evaluate(async (t) => {
        const image = new Image();
        image.src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(t)))}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [image.naturalWidth * 2, image.naturalHeight * 2];
        const context = canvas.getContext('2d')!;
        context.scale(2, 2);
        context.drawImage(image, 0, 0);
        return canvas.toDataURL('image/png');
      }, text);
    const family = `font-family: "${FONT_FAMILY}", monospace;`;
    assert.ok(svg.includes(family));
    assert.equal(await draw(svg.replace(family, `font-family: "${FONT_FAMILY}", serif;`)), png, 'the same pixels');
    assert.notEqual(await draw(svg.replace(family, 'font-family: "No Such Font", serif;')), png, 'serif differs');
    await page.close();
  });

  it('hovering an edge shows its tensor, the layer that makes it and every layer that reads it, with their lines', async () => {
    const text = readFileSync(join(ROOT, 'examples', 'inception.cnn'), 'utf8');
    const lineOf = (name: string) =>
      text.split('\n').findIndex((l) => l.startsWith(`${name}:`) || l.startsWith(name)) + 1;
    const a = check(text);
    const readers = a.layers.filter((l) => l.inputs.includes('input')).map((l) => l.name);
    assert.deepEqual(readers, ['b1', 'b2r', 'b3r', 'b4p'], 'inception.cnn reads its input four times');
    const page = await open({ view: 'forward', direction: 'TB', overlay: 'none' }, diagramModel(a));
    const hover = async (from: string, to: string) => {
      // The middle of the edge's line, in page coordinates (an edge that bends has no point at its box's centre).
      const at = await page.$eval(`.edge[data-from="${from}"][data-to="${to}"] path`, (p) => {
        const path = p as SVGPathElement;
        const q = path.getPointAtLength(path.getTotalLength() / 2).matrixTransform(path.getScreenCTM()!);
        return { x: q.x, y: q.y };
      });
      await page.mouse.move(at.x, at.y);
      await page.waitForSelector('#tip:not([hidden])');
      const marked = await page.$$eval('.edge.hovered', (gs) => gs.map((g) => `${g.dataset.from}>${g.dataset.to}`));
      assert.deepEqual(marked, [`${from}>${to}`], 'the hovered edge is marked');
      return page.$eval('#tip', (t) => t.textContent!.split('\n'));
    };
    const readBy = `read by ${readers.map((r) => `${r} (line ${lineOf(r)})`).join(', ')}`;
    assert.deepEqual(await hover('input', 'b2r'), [
      "input's output 192×28×28",
      `made by input (line ${lineOf('input')}): input`,
      readBy,
    ]);
    await page.mouse.move(1, 599);
    await page.waitForSelector('#tip', { state: 'hidden' });
    await page.click('#backward');
    const backward = await hover('input', 'b3r');
    assert.deepEqual(backward.slice(0, 3), [
      "input's output 192×28×28",
      `made by input (line ${lineOf('input')}): input`,
      readBy,
    ]);
    assert.match(backward[3], /^δ back to input: .* → 192×28×28$/);
    await page.close();
  });

  it("the toolbar's save menu asks for the format and theme picked", async () => {
    const model = diagramModel(check(readFileSync(join(ROOT, 'examples', 'seed.cnn'), 'utf8')));
    const page = await open({ view: 'forward', direction: 'TB', overlay: 'none' }, model);
    await page.selectOption('#save', 'svg print');
    assert.deepEqual(
      (await posted(page)).filter((p) => p.type === 'save'),
      [{ type: 'save', format: 'svg', theme: 'print' }],
    );
    assert.equal(await page.$eval('#save', (s) => (s as HTMLSelectElement).value), '', 'the menu resets');
    await page.close();
  });
});
