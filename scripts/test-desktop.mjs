// Runs the extension test suite (the same test/extension/**/*.test.ts as the web run) in VS Code desktop through
// @vscode/test-electron, with examples/ as the workspace and every other extension disabled.
//
//   node scripts/test-desktop.mjs [--grep PATTERN] [--code PATH_TO_VSCODE_EXECUTABLE]
//
// test-electron downloads VS Code into .vscode-test/ on first use, so it needs the internet once; offline it
// stops at once with that reason unless a VS Code is already there or given with --code (or CNN_LENS_VSCODE).
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './web-host.mjs';

const UPDATE_SERVER = 'https://update.code.visualstudio.com/api/releases/stable';

const { values: args } = parseArgs({
  options: {
    grep: { type: 'string' },
    code: { type: 'string', default: process.env.CNN_LENS_VSCODE },
  },
});

if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' }).status !== 0)
  process.exit(1);

const cache = join(ROOT, '.vscode-test');
const cached = existsSync(cache) && readdirSync(cache).some((d) => d.startsWith('vscode-'));
if (!args.code && !cached) {
  try {
    await fetch(UPDATE_SERVER, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    console.error(
      `test:desktop: VS Code desktop must be downloaded once from ${new URL(UPDATE_SERVER).host}, which is unreachable ` +
        `(${error.cause?.code ?? error.message}). Run this where the internet is reachable, or pass --code with a VS Code executable. ` +
        'Offline, `npm test` runs the same suite in VS Code for the Web (scripts/test-web.mjs).',
    );
    process.exit(1);
  }
}

try {
  await runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'dist', 'test', 'suite.js'),
    ...(args.code ? { vscodeExecutablePath: args.code } : {}),
    launchArgs: [join(ROOT, 'examples'), '--disable-extensions', '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: args.grep ? { CNN_LENS_TEST_GREP: args.grep } : {},
  });
} catch (error) {
  console.error(`test:desktop: ${error.message ?? error}`);
  process.exit(1);
}
