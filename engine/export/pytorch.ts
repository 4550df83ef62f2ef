/**
 * Export to PyTorch: a self-contained Python module with one `nn.Module` whose submodules are the network's
 * layers, named as in the network, so `state_dict()` keys are `LAYER.weight` and `LAYER.bias` and the parameters
 * of a `run --dump` load by name (W → weight, b → bias, gamma → weight, beta → bias: the layouts are already
 * PyTorch's). `forward` follows the graph, one line per layer with its output shape.
 *
 * Each kind writes its own module (its LayerKind's `torch` hook, in engine/layers/); this file only assembles
 * them: names, variables, imports, helper classes, the fused softmax. Pure text: no dependency.
 */
import type { Analysis } from '../check';
import { knownLayer } from '../layers/known';
import { formatShape } from '../shape';
import { ExportError, exportable, output } from './common';

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
/** Names nn.Module already has (torch 1.13): a submodule cannot take them. */
const MODULE_ATTRIBUTES = new Set(
  'add_module apply bfloat16 buffers children cpu cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules named_buffers named_children named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook register_load_state_dict_post_hook register_module register_parameter requires_grad_ set_extra_state share_memory state_dict to to_empty train training type xpu zero_grad T_destination'.split(
    ' ',
  ),
);
/** Names forward's locals may not take: the module's own imports and arguments. */
const RESERVED_LOCALS = new Set(['self', 'x', 'torch', 'nn', 'F']);

/** `self.c1`, or for a Python keyword `getattr(self, "pass")`: the state_dict key stays the layer's name. */
function moduleRef(name: string): string {
  return KEYWORDS.has(name) ? `getattr(self, "${name}")` : `self.${name}`;
}

function local(name: string): string {
  return KEYWORDS.has(name) || RESERVED_LOCALS.has(name) ? `${name}_` : name;
}

/** The network's class name: `network`'s, unless Python or a helper class the export defines (`Add`, `Mul`, …) has it. */
function className(network: string | undefined, helpers: readonly string[]): string {
  const taken = (n: string) => n === 'Add' || n === 'Concat' || helpers.some((h) => h.startsWith(`class ${n}(`));
  if (!network || KEYWORDS.has(network) || RESERVED_LOCALS.has(network) || taken(network)) return 'Network';
  return network;
}

/** The Python module for a network that checks clean; throws ExportError naming what it cannot write. */
export function exportPytorch(analysis: Analysis, sourceName?: string): string {
  const net = exportable(analysis);
  const body = net.layers.filter((l) => l !== net.fusedSoftmax);
  const written = body.map((l) => {
    const known = knownLayer(l);
    if (!known?.kind.torch)
      throw new ExportError(`${l.name}: PyTorch export does not know the layer kind '${l.kind}'`, l.name);
    if (MODULE_ATTRIBUTES.has(l.name) || l.name.startsWith('__')) {
      throw new ExportError(
        `${l.name}: nn.Module already has an attribute '${l.name}', so a layer cannot be named so in PyTorch; rename the layer`,
        l.name,
      );
    }
    return { layer: l, py: known.kind.torch(known.layer) };
  });
  const helpers = [...new Set(written.flatMap((w) => w.py.helpers ?? []))];
  const name = className(analysis.network, helpers);
  const var_ = (n: string) => (n === net.input.name ? 'x' : local(n));
  const last = body[body.length - 1];

  const init = written.map(({ layer, py }) => {
    const shape = `# -> ${formatShape(output(layer))}`;
    const comment = py.comment ? `  ${shape}; ${py.comment}` : `  ${shape}`;
    return KEYWORDS.has(layer.name)
      ? `        setattr(self, "${layer.name}", ${py.module})${comment}`
      : `        self.${layer.name} = ${py.module}${comment}`;
  });
  const forward = written.map(({ layer, py }) => {
    const m = moduleRef(layer.name);
    const xs = layer.inputs.map(var_);
    const call = py.call ? py.call(m, xs) : `${m}(${xs[0]})`;
    return `        ${local(layer.name)} = ${call}  # N×${formatShape(output(layer))}`;
  });
  // The logits are the fused softmax's input, which need not be the line above it (`softmax from=input`).
  const result = net.fusedSoftmax ? var_(net.fusedSoftmax.inputs[0]) : last ? local(last.name) : 'x';
  const returns = net.fusedSoftmax
    ? [
        `        # ${net.fusedSoftmax.name} (softmax) is fused with the cross-entropy loss: forward returns the logits, as`,
        `        # F.cross_entropy expects; torch.softmax(logits, dim=1) gives the probabilities.`,
        `        return ${result}`,
      ]
    : [`        return ${result}`];

  const source = sourceName ? ` from ${sourceName}` : '';
  const lossLine =
    analysis.loss === 'cross_entropy' ? 'F.cross_entropy(model(x), labels)' : 'F.mse_loss(model(x), targets)';
  return [
    `# Generated by CNN Lens${source}: network ${analysis.network ?? '(unnamed)'}, input ${formatShape(net.input.shape)} per sample (N×${formatShape(net.input.shape)} batches).`,
    `# Loss: ${lossLine}. Layers and state_dict keys are named as in the network.`,
    'import torch',
    'import torch.nn.functional as F',
    'from torch import nn',
    '',
    ...helpers.flatMap((h) => ['', h, '']),
    '',
    `class ${name}(nn.Module):`,
    '    def __init__(self):',
    '        super().__init__()',
    ...(init.length ? init : []),
    '',
    '    def forward(self, x):',
    `        # x: N×${formatShape(net.input.shape)} (${net.input.name})`,
    ...forward,
    ...returns,
    '',
  ].join('\n');
}
