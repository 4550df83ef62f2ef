/**
 * The shape of the house, held by tests: engine/'s imports point one way (no cycle, type-only imports included,
 * and nothing of a host: no vscode, no node:, no DOM module), no code outside engine/layers/ asks which kind a
 * layer is by its name, and the grammar colours exactly the language's words.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { LAYER_KINDS } from '../../engine/layers';
import { STATEMENT_KEYWORDS } from '../../engine/parser';
import { RULE_FUNCTIONS } from '../../engine/backward/functions';
import { DEFAULT_MEMORY_LIMIT, GRADCHECK_DEFAULTS } from '../../engine/defaults';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE = join(ROOT, 'engine');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module a file imports or re-exports, type-only ones included, as written. */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  const pattern =
    /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(pattern)) found.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return found;
}

/** A relative import resolved to its file: `./x` is x.ts or x/index.ts, `./x.js` is x.ts. */
function resolveImport(from: string, spec: string): string {
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(`${relative(ROOT, from)}: cannot resolve '${spec}'`);
}

/** The engine's import graph: each file, the files it imports. */
function engineGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(ENGINE)) {
    const specs = importsOf(readFileSync(file, 'utf8'));
    graph.set(
      file,
      specs.filter((s) => s.startsWith('.')).map((s) => resolveImport(file, s)),
    );
  }
  return graph;
}

/** One cycle of the graph, as a list of files, or undefined when it has none. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The words of a grammar pattern `\b(a|b|c)\b`. */
const words = (match: string) => /\((?:\?:)?([\w|]+)\)/.exec(match)![1].split('|');

/** The folders whose code may not ask a layer's kind by its name: what a kind does belongs on its LayerKind. */
const KIND_FREE = ['engine', 'extension', 'webview', 'cli', 'tfjs', 'worker'];

/**
 * Files outside engine/layers/ that may compare a kind name's string, each with the reason. engine/kernels/: the
 * kernels switch on their own selectors (kernels/activation.ts's `{ kind: 'relu' }`, the activation function an
 * activation kind hands its kernel), which name functions, not layer kinds, though the words are the same.
 * tfjs/code/: it reads TensorFlow.js code, whose method and layer names (`model.add`, `tf.layers.add`) are tfjs's
 * own words, not the language's kinds; tfjs/importLayers.ts maps those same tfjs layer functions (`tf.layers.dense`)
 * to .cnn lines.
 */
const MAY_NAME_KINDS = [join('engine', 'kernels') + '/', join('tfjs', 'code') + '/', join('tfjs', 'importLayers.ts')];

/** Each comparison of a string literal naming one of `kinds` (`=== 'conv'`, `'pool' !==`, `case 'softmax':`). */
export function kindComparisons(text: string, kinds: readonly string[]): string[] {
  const names = kinds.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const literal = `(?:'(?:${names})'|"(?:${names})"|\`(?:${names})\`)`;
  const pattern = new RegExp(`[!=]==?\\s*${literal}|${literal}\\s*[!=]==?|\\bcase\\s+${literal}\\s*:`, 'g');
  return [...text.matchAll(pattern)].map((m) => m[0]);
}

describe('the shape of the engine', () => {
  it('the import graph of engine/ has no cycle, type-only imports included', () => {
    const cycle = findCycle(engineGraph());
    assert.equal(cycle?.map((f) => relative(ROOT, f)).join(' → '), undefined);
  });

  it('finds a cycle where there is one, type-only or not (the check itself can fail)', () => {
    assert.deepEqual(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
      ['a', 'b', 'c', 'a'],
    );
    assert.equal(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['d', ['a', 'c']],
        ]),
      ),
      undefined,
    );
    assert.deepEqual(importsOf("import type { A } from './a';\nexport { B } from '../b';\nimport './c';\n"), [
      './a',
      '../b',
      './c',
    ]);
  });

  it('engine/ imports nothing outside itself: no vscode, no node: modules, no packages', () => {
    const outside: string[] = [];
    for (const file of sources(ENGINE)) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const inside = spec.startsWith('.') && resolveImport(file, spec).startsWith(ENGINE + '/');
        if (!inside) outside.push(`${relative(ROOT, file)}: ${spec}`);
      }
    }
    assert.deepEqual(outside, []);
  });

  it('no code outside engine/layers/ compares a layer kind with a kind name: each kind says what it does on its LayerKind', () => {
    const found: string[] = [];
    for (const dir of KIND_FREE) {
      let files: string[];
      try {
        files = sources(join(ROOT, dir));
      } catch {
        continue; // a folder this tree does not have
      }
      for (const file of files) {
        const path = relative(ROOT, file);
        if (path.startsWith(join('engine', 'layers') + '/') || MAY_NAME_KINDS.some((p) => path.startsWith(p))) continue;
        for (const c of kindComparisons(readFileSync(file, 'utf8'), [...LAYER_KINDS.keys()]))
          found.push(`${path}: ${c}`);
      }
    }
    assert.deepEqual(found, []);
  });

  it('finds a comparison with a kind name where there is one (the check itself can fail)', () => {
    const kinds = [...LAYER_KINDS.keys()];
    assert.deepEqual(
      kindComparisons(
        "if (l.kind === 'conv') x();\nswitch (k) {\n  case \"softmax\":\n}\nif ('pool' !== kind) y();",
        kinds,
      ),
      ["=== 'conv'", 'case "softmax":', "'pool' !=="],
    );
    assert.deepEqual(
      kindComparisons("if (l.kind === 'input' || name === 'convolution') z(); const k = { kind: 'conv' };", kinds),
      [],
    );
  });

  it("the grammar's keywords are the language's layer kinds, statement words and rule functions", () => {
    const grammar = JSON.parse(readFileSync(join(ROOT, 'syntaxes', 'cnn.tmLanguage.json'), 'utf8'));
    const repo = grammar.repository;
    assert.deepEqual(words(repo.layer.match).sort(), [...LAYER_KINDS.keys()].sort());
    assert.deepEqual(
      [...words(repo.statement.match), ...words(repo.backward.begin)].sort(),
      [...STATEMENT_KEYWORDS].sort(),
    );
    const calls = repo.backward.patterns.find((p: { name?: string }) => p.name === 'support.function.cnn');
    assert.deepEqual(words(calls.match).sort(), Object.keys(RULE_FUNCTIONS).sort());
  });

  it("the settings' defaults in package.json are the engine's (VS Code reads them there, the engine here)", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const properties = pkg.contributes.configuration.properties;
    assert.equal(properties['cnnLens.gradcheck.eps'].default, GRADCHECK_DEFAULTS.eps);
    assert.equal(properties['cnnLens.gradcheck.samples'].default, GRADCHECK_DEFAULTS.samples);
    assert.equal(properties['cnnLens.memoryLimitMiB'].default * 2 ** 20, DEFAULT_MEMORY_LIMIT);
  });
});
