/**
 * Export to TensorFlow.js: a TypeScript module, written and formatted with ts-morph, exporting a function that
 * builds the network as a functional `tf.LayersModel`, channels-last. Each .cnn layer becomes the tfjs layers its
 * kind's `tfjs` hook returns (engine/layers/), named after it (`c1`, with `c1_pad` for an explicit padding
 * layer), so weights can be matched by name; the comments say where tfjs and PyTorch conventions differ. A block
 * is a function applying its layers (exportBlocks.ts), which names them by their full names (`layer2.1.conv1`).
 */
import { Project, QuoteKind } from 'ts-morph';
import type { Analysis, LayerInfo } from '../engine';
import { ExportError, exportable } from '../engine/export/common';
import { useTree } from '../engine/export/blocks';
import type { TfCall } from '../engine/export/target';
import { formatShape } from '../engine/shape';
import { BlockFunctions, callLine, tfCalls, useArguments } from './exportBlocks';

/** JavaScript's reserved words and the module's own import: a layer's variable takes a `_` after them. */
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval tf model'.split(
    ' ',
  ),
);
/** tfjs's rule for layer names (`isValidTensorName`). */
const TF_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

/** A layer's variable: its name, with a block's full name's dots as `_` (`layer2.1.conv1` → `layer2_1_conv1`). */
const variable = (name: string) => {
  const v = name.replace(/\./g, '_');
  return RESERVED.has(v) ? `${v}_` : v;
};
/** C×H×W as tfjs sees it, H×W×C; a vector stays as it is. */
const channelsLast = (shape: readonly number[]) => (shape.length === 3 ? [shape[1], shape[2], shape[0]] : [...shape]);

function functionName(network: string | undefined): string {
  return `build${network ? network[0].toUpperCase() + network.slice(1) : 'Network'}`;
}

/** The layers the last layer's output depends on. */
function reaching(layers: readonly LayerInfo[]): Set<string> {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const live = new Set<string>();
  const visit = (name: string) => {
    const l = byName.get(name);
    if (!l || live.has(name)) return;
    live.add(name);
    l.inputs.forEach(visit);
  };
  visit(layers[layers.length - 1].name);
  return live;
}

/** The TypeScript module for a network that checks clean; throws ExportError naming what it cannot write. */
export function exportTfjs(analysis: Analysis, sourceName?: string): string {
  const net = exportable(analysis);
  const lines: string[] = [];
  const input = variable(net.input.name);
  const names = new Set(analysis.layers.map((l) => l.name));
  const live = reaching(net.layers);
  const byName = new Map(analysis.layers.map((l) => [l.name, l]));
  const tree = useTree(analysis);
  const functions = new BlockFunctions(
    tree?.blocks ?? new Map(),
    new Set([functionName(analysis.network), ...names]),
    (p) => formatShape(channelsLast(p === net.input.name ? net.input.shape : byName.get(p)!.output!)),
  );
  // A use written as a call stands for its output under the use's own variable.
  const uses = new Map<string, string>();
  const varOf = (n: string) => (n === net.input.name ? input : (uses.get(n) ?? variable(n)));

  const writeLayer = (l: LayerInfo) => {
    if (!live.has(l.name)) {
      // A tf.LayersModel holds only what leads to its outputs; the .cnn network flags this as unused-layer.
      lines.push(`// ${l.name} (${l.kind}) reaches no output (unused-layer): a tfjs model leaves it out`);
      return;
    }
    if (!TF_NAME.test(l.name))
      throw new ExportError(`${l.name}: tfjs layer names start with a letter or digit; rename the layer`, l.name);
    const calls = tfCalls(l);
    const inputs = l.inputs.map(varOf);
    let x = inputs.length === 1 ? inputs[0] : `[${inputs.join(', ')}]`;
    calls.forEach((call: TfCall, i) => {
      const last = i === calls.length - 1;
      const layerName = `${l.name}${call.suffix ?? ''}`;
      if (!last && names.has(layerName))
        throw new ExportError(
          `${l.name}: its extra tfjs layer would be named ${layerName}, which is another layer's name`,
          l.name,
        );
      const target = last ? variable(l.name) : `${variable(l.name)}${call.suffix}`;
      const shape = last ? ` // ${formatShape(channelsLast(l.output!))}` : '';
      const comment = call.comment ? `// ${call.comment}\n` : '';
      lines.push(`${comment}${callLine(call, target, `'${layerName}'`, x)}${shape}`);
      x = target;
    });
  };

  if (!tree) net.layers.forEach(writeLayer);
  for (const item of tree?.top.items ?? []) {
    if (item.type === 'layer') {
      writeLayer(item.layer);
      continue;
    }
    const { use } = item;
    if (!functions.name(use.block) || !live.has(use.output)) {
      // Written out layer by layer: its block has no function (or the use reaches no output), under the same names.
      if (live.has(use.output))
        lines.push(
          `// ${use.name} (block ${use.block.name}): no one function writes every use of it (or of a block in it) in tfjs, so it is written out here`,
        );
      analysis.layers.filter((l) => l.name.startsWith(`${use.name}.`)).forEach(writeLayer);
      continue;
    }
    if (!TF_NAME.test(use.name))
      throw new ExportError(`${use.name}: tfjs layer names start with a letter or digit; rename the layer`, use.name);
    const target = variable(use.name);
    const shape = ` // ${formatShape(channelsLast(byName.get(use.output)!.output!))}`;
    lines.push(
      ...functions.call(use, target, varOf(use.scopes[0].input), `'${use.name}'`, useArguments(use, new Set()), shape),
    );
    uses.set(use.output, target);
  }
  const last = net.layers[net.layers.length - 1];

  const project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { quoteKind: QuoteKind.Single } });
  const file = project.createSourceFile('model.ts', '');
  file.addImportDeclaration({ namespaceImport: 'tf', moduleSpecifier: '@tensorflow/tfjs' });
  for (const text of functions.written) file.addStatements([text, '']);
  file.addFunction({
    isExported: true,
    name: functionName(analysis.network),
    returnType: 'tf.LayersModel',
    docs: [
      `Builds ${analysis.network ?? 'the network'}: input ${formatShape(channelsLast(net.input.shape))} (H×W×C per sample), ${net.layers.length} layers.`,
    ],
    statements: (w) => {
      w.writeLine(
        `const ${input} = tf.input({ name: '${net.input.name}', shape: [${channelsLast(net.input.shape).join(', ')}] });`,
      );
      for (const line of lines) w.writeLine(line);
      w.writeLine(
        `return tf.model({ name: '${analysis.network ?? 'network'}', inputs: ${input}, outputs: ${varOf(last.name)} });`,
      );
    },
  });
  file.formatText({ indentSize: 2, convertTabsToSpaces: true });
  const header = [
    `// Generated by CNN Lens${sourceName ? ` from ${sourceName}` : ''}. TensorFlow.js is channels-last: a C×H×W map of the`,
    '// network is H×W×C here, a batch N×H×W×C. Layers are named as in the network.',
    '',
  ].join('\n');
  return `${header}${file.getFullText().trimEnd()}\n`;
}
