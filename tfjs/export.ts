/**
 * Export to TensorFlow.js: a TypeScript module, written and formatted with ts-morph, exporting a function that
 * builds the network as a functional `tf.LayersModel`, channels-last. Each .cnn layer becomes the tfjs layers its
 * kind's `tfjs` hook returns (engine/layers/), named after it (`c1`, with `c1_pad` for an explicit padding
 * layer), so weights can be matched by name; the comments say where tfjs and PyTorch conventions differ.
 */
import { Project, QuoteKind } from 'ts-morph';
import type { Analysis, LayerInfo } from '../engine';
import { ExportError, exportable } from '../engine/export/common';
import { knownLayer } from '../engine/layers/known';
import { formatShape } from '../engine/shape';
import type { TfCall } from '../engine/export/target';

/** JavaScript's reserved words and the module's own import: a layer's variable takes a `_` after them. */
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval tf model'.split(
    ' ',
  ),
);
/** tfjs's rule for layer names (`isValidTensorName`). */
const TF_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

const variable = (name: string) => (RESERVED.has(name) ? `${name}_` : name);
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
  for (const l of net.layers) {
    if (!live.has(l.name)) {
      // A tf.LayersModel holds only what leads to its outputs; the .cnn network flags this as unused-layer.
      lines.push(`// ${l.name} (${l.kind}) reaches no output (unused-layer): a tfjs model leaves it out`);
      continue;
    }
    const known = knownLayer(l);
    if (!known?.kind.tfjs)
      throw new ExportError(`${l.name}: TensorFlow.js export does not know the layer kind '${l.kind}'`, l.name);
    if (!TF_NAME.test(l.name))
      throw new ExportError(`${l.name}: tfjs layer names start with a letter or digit; rename the layer`, l.name);
    const calls = known.kind.tfjs(known.layer);
    const inputs = l.inputs.map((n) => (n === net.input.name ? input : variable(n)));
    let x = inputs.length === 1 ? inputs[0] : `[${inputs.join(', ')}]`;
    calls.forEach((call: TfCall, i) => {
      const last = i === calls.length - 1;
      const layerName = `${l.name}${call.suffix ?? ''}`;
      if (!last && names.has(layerName))
        throw new ExportError(
          `${l.name}: its extra tfjs layer would be named ${layerName}, which is another layer's name`,
          l.name,
        );
      const config = Object.entries({ name: `'${layerName}'`, ...call.config }).map(([k, v]) => `${k}: ${v}`);
      const target = last ? variable(l.name) : `${variable(l.name)}${call.suffix}`;
      const shape = last ? ` // ${formatShape(channelsLast(l.output!))}` : '';
      const comment = call.comment ? `// ${call.comment}\n` : '';
      lines.push(
        `${comment}const ${target} = tf.layers.${call.fn}({ ${config.join(', ')} }).apply(${x}) as tf.SymbolicTensor;${shape}`,
      );
      x = target;
    });
  }
  const last = net.layers[net.layers.length - 1];

  const project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { quoteKind: QuoteKind.Single } });
  const file = project.createSourceFile('model.ts', '');
  file.addImportDeclaration({ namespaceImport: 'tf', moduleSpecifier: '@tensorflow/tfjs' });
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
        `return tf.model({ name: '${analysis.network ?? 'network'}', inputs: ${input}, outputs: ${variable(last.name)} });`,
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
