/** What the Chromium tests share: the browser (Debian's, or CNN_LENS_CHROMIUM) and the diagram's webview script. */
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CNN_LENS_CHROMIUM ?? '/usr/bin/chromium';

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });

/** webview/diagram/main.ts bundled as the build bundles it. */
export async function diagramScript(): Promise<string> {
  const b = await esbuild.build({
    entryPoints: [join(__dirname, '..', '..', 'webview', 'diagram', 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  return b.outputFiles[0].text;
}
