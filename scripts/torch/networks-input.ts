/**
 * Step 1 of the end-to-end PyTorch oracle (step 2 is scripts/torch/networks.py). For every network in
 * test/fixtures/torch/networks/*.cnn it writes what PyTorch needs to rebuild the network on its own:
 *
 * - the source text, and every statement as written: the input's name and shape text, each layer's name
 *   (explicit or not), kind keyword, resolved inputs, positional arguments and options exactly as the parser
 *   read them (`{ kind, text }`), the `loss` and `sample` statements;
 * - our seeded sample data: the batch and seed, the input, the labels (cross-entropy) or targets (mse) and
 *   every parameter, in PyTorch's layouts.
 *
 * It deliberately writes none of our outputs, losses, δs or gradients: networks.py interprets the statements
 * itself (per docs/language.md) and computes those with torch autograd, so the two sides share only the data.
 *
 *     node --import tsx scripts/torch/networks-input.ts    # from the repository root
 *
 * writes test/fixtures/torch/networks-input.json. Optional arguments: the output path, then a directory of .cnn
 * files to read instead of the fixtures' (for trying networks outside the committed set).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { check } from '../../engine/check';
import { sampleRun, type Tensor } from '../../engine/run';
import type { Value } from '../../engine/syntax';

const ROOT = join(__dirname, '..', '..');
const OUT = process.argv[2] ?? join(ROOT, 'test', 'fixtures', 'torch', 'networks-input.json');
const NETWORKS = process.argv[3] ?? join(ROOT, 'test', 'fixtures', 'torch', 'networks');

/** A value as written: its lexical kind and its text (networks.py parses the text itself). */
const written = (v: Value) => ({ kind: v.kind, text: v.text });

function describe(file: string) {
  const source = readFileSync(join(NETWORKS, file), 'utf8');
  const analysis = check(source);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    throw new Error(
      `${file}: ${errors.map((d) => `line ${analysis.lines.position(d.range.start).line}: ${d.message}`).join('; ')}`,
    );
  }
  const statements = analysis.document.statements;
  const loss = statements.find((s) => s.type === 'loss');
  const sample = statements.find((s) => s.type === 'sample');
  const input = analysis.input!;
  const dump = sampleRun(analysis);
  const tensor = (t: Tensor) => ({ shape: t.shape, data: t.data });
  return {
    file,
    network: analysis.network ?? null,
    source,
    input: { name: input.statement.name?.text ?? null, shape: written(input.statement.shape) },
    loss: loss ? written(loss.loss) : null,
    sample: sample ? sample.options.map((o) => ({ key: o.key.text, ...written(o.value) })) : null,
    layers: analysis.layers.map((l) => ({
      name: l.name,
      explicitName: l.statement.name?.text ?? null,
      kind: l.statement.kind.text,
      inputs: l.inputs,
      args: l.statement.args.map(written),
      options: l.statement.options.map((o) => ({ key: o.key.text, ...written(o.value) })),
    })),
    data: {
      batch: dump.batch,
      seed: dump.seed,
      input: tensor(dump.input),
      ...(dump.labels && { labels: tensor(dump.labels) }),
      ...(dump.targets && { targets: tensor(dump.targets) }),
      params: Object.fromEntries(
        Object.entries(dump.params).map(([layer, ps]) => [
          layer,
          Object.fromEntries(Object.entries(ps).map(([p, t]) => [p, tensor(t)])),
        ]),
      ),
    },
  };
}

const files = readdirSync(NETWORKS)
  .filter((f) => f.endsWith('.cnn'))
  .sort();
const networks = files.map(describe);
writeFileSync(OUT, `${JSON.stringify({ generator: 'scripts/torch/networks-input.ts', networks })}\n`);
process.stdout.write(`${networks.length} networks -> ${relative(process.cwd(), OUT)}\n`);
