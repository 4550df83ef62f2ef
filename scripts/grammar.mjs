// The grammar's word lists (syntaxes/cnn.tmLanguage.json) written from the engine, so that a new layer kind, statement
// or backward-rule function is coloured without editing the grammar: the layer kinds (engine/layers/index.ts), the
// statement keywords (engine/parser.ts) and the rule functions (engine/backward/functions.ts). Run by build.mjs;
// rewrites the file only when a list changed. test/engine/structure.test.ts holds the lists equal to the engine's.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

const GRAMMAR = 'syntaxes/cnn.tmLanguage.json';

/** The engine's words, from a tiny bundle of the three modules that define them. */
async function engineWords() {
  const { outputFiles } = await esbuild.build({
    stdin: {
      contents: `export { LAYER_KINDS } from './engine/layers'; export { STATEMENT_KEYWORDS } from './engine/parser'; export { RULE_FUNCTIONS } from './engine/backward/functions';`,
      resolveDir: '.',
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    logLevel: 'warning',
  });
  const module = { exports: {} };
  new Function('module', 'exports', outputFiles[0].text)(module, module.exports);
  const { LAYER_KINDS, STATEMENT_KEYWORDS, RULE_FUNCTIONS } = module.exports;
  return {
    kinds: [...LAYER_KINDS.keys()],
    statements: STATEMENT_KEYWORDS.filter((w) => w !== 'backward'),
    functions: Object.keys(RULE_FUNCTIONS),
  };
}

export async function updateGrammar() {
  const { kinds, statements, functions } = await engineWords();
  const text = readFileSync(GRAMMAR, 'utf8');
  const grammar = JSON.parse(text);
  const repo = grammar.repository;
  const calls = repo.backward.patterns.find((p) => p.name === 'support.function.cnn');
  // Each list is replaced where it stands in the text, so the file keeps its own layout.
  let written = text;
  const replace = (old, now) => (written = written.replace(JSON.stringify(old), JSON.stringify(now)));
  replace(repo.layer.match, `\\b(${kinds.join('|')})\\b`);
  replace(repo.statement.match, `^\\s*(${statements.join('|')})\\b`);
  replace(calls.match, `\\b(${functions.join('|')})\\b(?=\\s*\\()`);
  if (written !== text) writeFileSync(GRAMMAR, written);
}
