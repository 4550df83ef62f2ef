/**
 * Diagram bench: layout + render of generated residual networks of 200 layers (ResNet-50's size) and 2,000, in
 * Chromium (/usr/bin/chromium, driven by playwright-core), timed the way the webview draws: dagre's layout,
 * the SVG markup, setting it into the page and the browser's own style and layout of it. Also a redraw after a
 * one-line edit that keeps every box's size (the layout reused). Not a test: it prints medians and never fails.
 *
 *   node --import tsx bench/diagram.bench.ts
 *
 * Targets (issue 15): 200 layers ≤ 150 ms, 2,000 layers ≤ 1.5 s. Cases are interleaved round by round.
 */
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { check } from '../engine';
import { diagramModel } from '../engine/editor/diagram';
import { residualNetwork } from './check.bench';
import { median } from './timing';

const PAGE = `
import { layoutDiagram } from './webview/diagram/layout';
import { renderSvg } from './webview/diagram/render';
globalThis.draw = (model, fresh) => {
  const t = performance.now();
  const layout = layoutDiagram(model, { view: 'forward', direction: 'TB', fresh });
  document.body.innerHTML = renderSvg(model, layout, { view: 'forward', overlay: 'params', current: null });
  document.body.querySelector('svg').getBoundingClientRect();
  document.body.offsetHeight;
  return { ms: performance.now() - t, reused: layout.reused };
};
`;

async function main(): Promise<void> {
  const bundle = await esbuild.build({ stdin: { contents: PAGE, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, write: false, format: 'iife', platform: 'browser', logLevel: 'silent' });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const cases = [200, 2000].map((layers) => ({ layers, model: diagramModel(check(residualNetwork({ layers }, [3, 32, 32], [16, 32, 64, 128]))) }));
    const draw = (model: unknown, fresh: boolean) => page.evaluate(([m, f]) => (globalThis as unknown as { draw(m: unknown, f: boolean): { ms: number; reused: boolean } }).draw(m, f), [model, fresh] as const);
    for (const c of cases) await draw(c.model, true);
    const times = new Map<string, number[]>();
    const add = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
    const rounds = 7;
    for (let r = 0; r < rounds; r++) {
      for (const c of cases) {
        add(`${c.layers} full`, (await draw(c.model, true)).ms);
        const again = await draw(c.model, false);
        if (!again.reused) throw new Error('bench: the redraw did not reuse the layout');
        add(`${c.layers} redraw`, again.ms);
      }
    }
    console.log(`diagram bench in Chromium ${browser.version()}, ${rounds} interleaved rounds, medians:`);
    for (const c of cases) {
      const full = median(times.get(`${c.layers} full`)!);
      const redraw = median(times.get(`${c.layers} redraw`)!);
      const target = c.layers === 200 ? 150 : 1500;
      console.log(`  ${c.model.nodes.length} nodes: layout + render ${full.toFixed(1)} ms (target ≤ ${target} ms ${full <= target ? '✓' : '✗'}); redraw after an edit that keeps the boxes ${redraw.toFixed(1)} ms (${(full / redraw).toFixed(1)}× faster)`);
    }
  } finally {
    await browser.close();
  }
}

void main();
