/**
 * The extension test suite's entry, for both hosts: VS Code loads the bundle (dist/test/suite.web.js in the
 * web worker extension host, dist/test/suite.js in desktop's Node one) and awaits `run()`, which runs every
 * test/extension/**\/*.test.ts with mocha's BDD interface and rejects when a test fails.
 *
 * The same `import 'mocha'` gives two things: under Node, the Mocha class; in the browser bundle, mocha's
 * prebuilt browser build (scripts/build.mjs), which defines a ready instance as `globalThis.mocha` and prints
 * through console.log, which VS Code hands to the web runner.
 */
import Mocha from 'mocha';
import { files, loadTests } from 'cnn-lens:extension-tests';
import * as vscode from 'vscode';
import { isWeb, runnerOptions } from './runner';

const THEMES = { dark: 'Dark Modern', light: 'Light Modern' } as const;

function createMocha(options: Mocha.MochaOptions): Mocha {
  const browserMocha = (globalThis as { mocha?: BrowserMocha }).mocha;
  if (browserMocha) return browserMocha.setup(options);
  return new Mocha(options);
}

export async function run(): Promise<void> {
  const options = await runnerOptions();
  if (options.theme) await useTheme(THEMES[options.theme]);
  const mocha = createMocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 30_000,
    ...(options.grep ? { grep: options.grep } : {}),
  });
  mocha.suite.emit('pre-require', globalThis, 'extension', mocha);
  console.log(
    `extension suite: ${files.length} files (${files.join(', ')}) in VS Code ${vscode.version} (${isWeb() ? 'web' : 'desktop'})`,
  );
  loadTests();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension test${failures === 1 ? '' : 's'} failed`);
}

/** Switches the color theme and resolves once the workbench has applied it. */
async function useTheme(id: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('workbench');
  if (config.get('colorTheme') === id) return;
  const applied = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`color theme ${id} was not applied within 10 s`)), 10_000);
    const l = vscode.window.onDidChangeActiveColorTheme(() => {
      clearTimeout(timer);
      l.dispose();
      resolve();
    });
  });
  await config.update('colorTheme', id, vscode.ConfigurationTarget.Global);
  await applied;
}

/** The browser build's instance: `setup` returns it configured. */
interface BrowserMocha extends Mocha {
  setup(options: Mocha.MochaOptions): Mocha;
}
