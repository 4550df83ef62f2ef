// Packages the extension with vsce into a temporary .vsix and asserts what it holds: the manifest, both
// extension bundles (each at most 1 MB), the language files and docs, and nothing else (no sources, tests,
// source maps or node_modules). Reads the zip's central directory itself, so it needs no unzip.
//
//   node scripts/check-vsix.mjs [--keep]     (--keep leaves the .vsix in the repository root)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './web-host.mjs';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const keep = process.argv.includes('--keep');
const dir = keep ? ROOT : mkdtempSync(join(tmpdir(), 'cnn-lens-vsix-'));
const vsix = join(dir, `${manifest.name}-${manifest.version}.vsix`);

// `npm run package` holds vsce's options; only the output path is added here.
const packed = spawnSync('npm', ['run', '--silent', 'package', '--', '--out', vsix], {
  cwd: ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (packed.status !== 0) fail('vsce package failed');

/** Every entry of a zip file: its name and uncompressed size, from the central directory. */
function zipEntries(buffer) {
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file');
  const count = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (buffer.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const size = buffer.readUInt32LE(at + 24);
    const nameLength = buffer.readUInt16LE(at + 28);
    const skip = nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
    entries.push({ name: buffer.toString('utf8', at + 46, at + 46 + nameLength), size });
    at += 46 + skip;
  }
  return entries;
}

const entries = zipEntries(readFileSync(vsix));
const names = entries.map((e) => e.name).sort();
const required = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/package.json',
  'extension/readme.md',
  'extension/dist/extension.js',
  'extension/dist/extension.web.js',
  'extension/dist/worker.js',
  'extension/dist/worker.web.js',
  'extension/dist/tfjsWorker.js',
  'extension/dist/tfjsWorker.web.js',
  'extension/dist/walkthrough.js',
  'extension/dist/diagram.js',
  'extension/dist/webview.js',
  'extension/dist/webview.css',
  'extension/docs/language.md',
  'extension/language-configuration.json',
  'extension/syntaxes/cnn.tmLanguage.json',
  'extension/snippets/cnn.json',
];
const allowed = [/^extension\/docs\/images\/[a-z0-9-]+\.png$/, /^extension\/(changelog\.md|LICENSE\.txt)$/];

const problems = [
  ...required.filter((n) => !names.includes(n)).map((n) => `missing ${n}`),
  ...names.filter((n) => !required.includes(n) && !allowed.some((a) => a.test(n))).map((n) => `unexpected ${n}`),
  ...entries
    .filter((e) => /^extension\/dist\/((extension|worker)(\.web)?|webview)\.js$/.test(e.name) && e.size > 1024 * 1024)
    .map((e) => `${e.name} is over 1 MB`),
];
for (const entry of ['main', 'browser']) {
  const path = `extension/${manifest[entry].replace(/^\.\//, '')}`;
  if (!names.includes(path)) problems.push(`package.json "${entry}" (${manifest[entry]}) is not in the .vsix`);
}

const size = statSync(vsix).size;
console.log(
  `vsix: ${vsix.startsWith(ROOT) ? vsix.slice(ROOT.length + 1) : vsix}, ${(size / 1024).toFixed(1)} KiB, ${entries.length} files:`,
);
for (const e of [...entries].sort((a, b) => a.name.localeCompare(b.name)))
  console.log(`  ${e.name} ${(e.size / 1024).toFixed(1)} KiB`);
if (!keep) rmSync(dir, { recursive: true, force: true });
if (problems.length > 0) fail(problems.join('\n'));
console.log('vsix: contents as expected');

function fail(message) {
  console.error(`vsix: ${message}`);
  process.exit(1);
}
