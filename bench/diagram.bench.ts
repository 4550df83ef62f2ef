/**
 * Diagram bench: layout + render of generated residual networks of 200 layers (ResNet-50's size) and 2,000, in
 * Chromium (/usr/bin/chromium, driven by playwright-core), timed the way the webview draws: the layout, the SVG
 * markup with the labels the view can show (an 800×600 stage fitted to the figure), setting it into the page
 * and the browser's own style and layout of it. Also a redraw after a one-line edit that keeps every box's size
 * (the layout reused). Not a test: it prints medians and never fails.
 *
 *   node --import tsx bench/diagram.bench.ts [--against <git revision>]
 *
 * `--against` also draws with webview/diagram/ as it was at that revision, interleaved round by round with
 * today's, and prints the same-run ratio.
 * Targets (issue 15): 200 layers ≤ 150 ms, 2,000 layers ≤ 1.5 s.
 */
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { check } from '../engine';
import { diagramModel } from '../engine/editor/diagram';
import { residualNetwork } from './check.bench';
import { median } from './timing';

const STAGE = { width: 800, height: 600 };

/** Today's draw, as webview/diagram/main.ts does it. */
const NOW = `
import { layoutDiagram } from './webview/diagram/layout';
import { renderSvg } from './webview/diagram/render';
import { fitZoom, labelled } from './webview/diagram/viewport';
globalThis.drawNow = (model, fresh, open) => {
  const t = performance.now();
  const layout = layoutDiagram(model, { view: 'forward', direction: 'TB', fresh, open });
  const zoom = fitZoom(layout, ${STAGE.width}, ${STAGE.height});
  const visible = labelled(zoom, ${STAGE.width}, ${STAGE.height});
  document.body.innerHTML = renderSvg(model, layout, { view: 'forward', overlay: 'params', current: null, visible });
  document.body.querySelector('svg').getBoundingClientRect();
  document.body.offsetHeight;
  return { ms: performance.now() - t, reused: layout.reused };
};
`;

/**
 * The draw at an older revision, whose files are copied under `dir`; it is told the visible rectangle as today's
 * draw is (a revision from before labels were culled ignores it and writes every label).
 */
const BEFORE = (dir: string) => `
import { layoutDiagram } from './${dir}/webview/diagram/layout';
import { renderSvg } from './${dir}/webview/diagram/render';
import { fitZoom, labelled } from './webview/diagram/viewport';
globalThis.drawBefore = (model, fresh, open) => {
  const t = performance.now();
  const layout = layoutDiagram(model, { view: 'forward', direction: 'TB', fresh, open });
  const visible = labelled(fitZoom(layout, ${STAGE.width}, ${STAGE.height}), ${STAGE.width}, ${STAGE.height});
  document.body.innerHTML = renderSvg(model, layout, { view: 'forward', overlay: 'params', current: null, visible });
  document.body.querySelector('svg').getBoundingClientRect();
  document.body.offsetHeight;
  return { ms: performance.now() - t, reused: layout.reused };
};
`;

async function bundle(contents: string): Promise<string> {
  const b = await esbuild.build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    logLevel: 'silent',
  });
  return b.outputFiles[0].text;
}

/** webview/diagram/ at `revision`, written under out/ (inside the repository, so its imports resolve). */
function checkout(revision: string): string {
  const dir = join('out', 'bench-against');
  rmSync(dir, { recursive: true, force: true });
  const files = execFileSync('git', ['ls-tree', '--name-only', `${revision}:webview/diagram`], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.ts'));
  mkdirSync(join(dir, 'webview', 'diagram'), { recursive: true });
  for (const f of files)
    writeFileSync(
      join(dir, 'webview', 'diagram', f),
      execFileSync('git', ['show', `${revision}:webview/diagram/${f}`]),
    );
  return dir;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--against');
  const against = at > 0 ? process.argv[at + 1] : undefined;
  const scripts = [await bundle(NOW), ...(against ? [await bundle(BEFORE(checkout(against)))] : [])];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: STAGE });
    await page.setContent('<!doctype html><html><body style="margin:0"></body></html>');
    for (const content of scripts) await page.addScriptTag({ content });
    const generated = [200, 2000].map((layers) => ({
      name: `${layers} layers`,
      layers,
      model: diagramModel(check(residualNetwork({ layers }, [3, 32, 32], [16, 32, 64, 128]))),
      open: undefined as Record<string, boolean> | undefined,
    }));
    // The zoo's ResNet-50 (175 layers in 16 uses of blocks): every use open, as a revision without groups draws
    // it, and as it opens (its repeat= uses collapsed).
    const resnet50 = diagramModel(check(readFileSync(join('examples', 'zoo', 'resnet50.cnn'), 'utf8')));
    const cases = [
      ...generated,
      {
        name: 'ResNet-50, every use open',
        layers: 200,
        model: resnet50,
        open: Object.fromEntries(resnet50.groups.map((g) => [g.id, true])),
      },
      { name: 'ResNet-50, repeated uses collapsed', layers: 200, model: resnet50, open: undefined },
    ];
    const variants = against ? (['drawNow', 'drawBefore'] as const) : (['drawNow'] as const);
    type Draw = (m: unknown, f: boolean, o: unknown) => { ms: number; reused: boolean };
    const draw = (fn: string, model: unknown, fresh: boolean, open: unknown) =>
      page.evaluate(
        ([f, m, fr, o]) => (globalThis as unknown as Record<string, Draw>)[f as string](m, fr as boolean, o),
        [fn, model, fresh, open] as const,
      );
    for (const c of cases) for (const v of variants) await draw(v, c.model, true, c.open);
    const times = new Map<string, number[]>();
    const add = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
    const rounds = 7;
    for (let r = 0; r < rounds; r++) {
      for (const c of cases) {
        for (const v of variants) {
          add(`${v} ${c.name} full`, (await draw(v, c.model, true, c.open)).ms);
          const again = await draw(v, c.model, false, c.open);
          if (!again.reused) throw new Error(`bench: ${v}'s redraw did not reuse the layout`);
          add(`${v} ${c.name} redraw`, again.ms);
        }
      }
    }
    const m = (k: string) => median(times.get(k)!);
    // The machine is shared: the load says how inflated every absolute number is (the ratios less so).
    console.log(
      `diagram bench in Chromium ${browser.version()}, ${STAGE.width}×${STAGE.height} stage, ${rounds} interleaved rounds, medians (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores):`,
    );
    for (const c of cases) {
      const full = m(`drawNow ${c.name} full`);
      const redraw = m(`drawNow ${c.name} redraw`);
      const target = c.layers === 200 ? 150 : 1500;
      console.log(
        `  ${c.name} (${c.model.nodes.length} nodes in the model): layout + render ${full.toFixed(1)} ms (target ≤ ${target} ms ${full <= target ? '✓' : '✗'}); redraw after an edit that keeps the boxes ${redraw.toFixed(1)} ms (${(full / redraw).toFixed(1)}× faster)`,
      );
      if (against) {
        const bFull = m(`drawBefore ${c.name} full`);
        const bRedraw = m(`drawBefore ${c.name} redraw`);
        console.log(
          `    at ${against}: layout + render ${bFull.toFixed(1)} ms, redraw ${bRedraw.toFixed(1)} ms; now ${(bFull / full).toFixed(1)}× and ${(bRedraw / redraw).toFixed(1)}× faster`,
        );
      }
    }
  } finally {
    await browser.close();
    rmSync(join('out', 'bench-against'), { recursive: true, force: true });
  }
}

void main();
