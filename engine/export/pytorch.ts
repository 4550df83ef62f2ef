/**
 * Export to PyTorch: a self-contained Python module with one `nn.Module` whose submodules are the network's
 * layers, named as in the network, so `state_dict()` keys are `LAYER.weight` and `LAYER.bias` and the parameters
 * of a `run --dump` load by name (W → weight, b → bias, gamma → weight, beta → bias: the layouts are already
 * PyTorch's). `forward` follows the graph, one line per layer with its output shape.
 *
 * Each kind's export is one entry of KINDS below; a new kind adds its entry there. Pure text: no dependency.
 */
import type { Analysis, LayerInfo } from '../check';
import type { ConvGeometry, PoolGeometry } from '../geometry';
import { formatShape } from '../shape';
import { configValue, ExportError, exportable, inputShape, output } from './common';

/** One layer in Python: its module (built in `__init__`), and how `forward` calls it on its inputs' variables. */
interface PyLayer {
  /** The constructor, e.g. `nn.Conv2d(3, 64, kernel_size=(5, 5))`. */
  readonly module: string;
  /** The call on the module's expression `m` and the inputs' variables; default `m(x)`. */
  readonly call?: (m: string, xs: readonly string[]) => string;
  /** Says where PyTorch's layer and the .cnn one differ in what they keep or do. */
  readonly comment?: string;
  /** Helper classes the module needs, written once above the network's class. */
  readonly helpers?: readonly string[];
}

const pair = (h: number, w: number) => `(${h}, ${w})`;
/** JavaScript writes numbers as Python reads them (0.01, 1e-7). */
const num = (x: number) => `${x}`;

const ADD = `class Add(nn.Module):
    """The elementwise sum of its inputs (\`add\` in the .cnn network)."""

    def forward(self, *xs):
        y = xs[0]
        for x in xs[1:]:
            y = y + x
        return y`;

const CONCAT = `class Concat(nn.Module):
    """Its inputs joined along the channels, dim 1 (\`concat\` in the .cnn network)."""

    def forward(self, *xs):
        return torch.cat(xs, dim=1)`;

function conv(l: LayerInfo): PyLayer {
  const g = l.geometry as ConvGeometry;
  const args = [`${g.inChannels}`, `${g.outChannels}`, `kernel_size=${pair(g.h.kernel, g.w.kernel)}`];
  if (g.h.stride !== 1 || g.w.stride !== 1) args.push(`stride=${pair(g.h.stride, g.w.stride)}`);
  const symmetric = g.h.padBefore === g.h.padAfter && g.w.padBefore === g.w.padAfter;
  if (symmetric && (g.h.padBefore || g.w.padBefore)) args.push(`padding=${pair(g.h.padBefore, g.w.padBefore)}`);
  if (g.h.dilation !== 1 || g.w.dilation !== 1) args.push(`dilation=${pair(g.h.dilation, g.w.dilation)}`);
  if (g.groups !== 1) args.push(`groups=${g.groups}`);
  if (!g.bias) args.push('bias=False');
  if (symmetric) return { module: `nn.Conv2d(${args.join(', ')})` };
  // nn.Conv2d pads both sides alike; F.pad takes (left, right, top, bottom).
  const pads = [g.w.padBefore, g.w.padAfter, g.h.padBefore, g.h.padAfter].join(', ');
  return { module: `nn.Conv2d(${args.join(', ')})`, call: (m, [x]) => `${m}(F.pad(${x}, (${pads})))`, comment: 'padded unevenly: F.pad(left, right, top, bottom) first' };
}

function pool(l: LayerInfo): PyLayer {
  const g = l.geometry as PoolGeometry;
  const args = [`kernel_size=${pair(g.h.kernel, g.w.kernel)}`, `stride=${pair(g.h.stride, g.w.stride)}`];
  if (g.h.padBefore || g.w.padBefore) args.push(`padding=${pair(g.h.padBefore, g.w.padBefore)}`);
  if (g.ceil) args.push('ceil_mode=True');
  // count_include_pad=True is PyTorch's default and the .cnn rule: written out because it matters.
  return { module: g.mode === 'max' ? `nn.MaxPool2d(${args.join(', ')})` : `nn.AvgPool2d(${args.join(', ')}, count_include_pad=True)` };
}

/** The export of every kind, by keyword. */
const KINDS: Readonly<Record<string, (l: LayerInfo) => PyLayer>> = {
  conv,
  pool,
  dense(l) {
    const features = inputShape(l).reduce((a, b) => a * b, 1);
    const bias = configValue(l, 'bias', true);
    const module = `nn.Linear(${features}, ${output(l)[0]}${bias ? '' : ', bias=False'})`;
    if (inputShape(l).length === 1) return { module };
    return { module, call: (m, [x]) => `${m}(torch.flatten(${x}, 1))`, comment: 'flattened in C,H,W order' };
  },
  flatten: () => ({ module: 'nn.Flatten()' }),
  relu: () => ({ module: 'nn.ReLU()' }),
  leaky_relu: (l) => ({ module: `nn.LeakyReLU(negative_slope=${num(configValue(l, 'slope', 0.01))})` }),
  sigmoid: () => ({ module: 'nn.Sigmoid()' }),
  tanh: () => ({ module: 'nn.Tanh()' }),
  identity: () => ({ module: 'nn.Identity()' }),
  // Only reached when not fused with cross-entropy, which the language does not allow today; kept for completeness.
  softmax: () => ({ module: 'nn.Softmax(dim=1)' }),
  dropout: (l) => ({ module: `nn.Dropout(p=${num(configValue(l, 'rate', 0.5))})`, comment: 'the identity in CNN Lens runs: call .eval() on it, or set p=0, to compare' }),
  batchnorm(l) {
    const shape = inputShape(l);
    const eps = configValue(l, 'eps', 1e-5);
    const cls = shape.length === 1 ? 'BatchNorm1d' : 'BatchNorm2d';
    return {
      module: `nn.${cls}(${shape[0]}${eps === 1e-5 ? '' : `, eps=${num(eps)}`}, track_running_stats=False)`,
      comment: 'batch statistics always, as CNN Lens normalises (no running averages)',
    };
  },
  add: () => ({ module: 'Add()', call: (m, xs) => `${m}(${xs.join(', ')})`, helpers: [ADD] }),
  concat: () => ({ module: 'Concat()', call: (m, xs) => `${m}(${xs.join(', ')})`, helpers: [CONCAT] }),
};

const KEYWORDS = new Set('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '));
/** Names nn.Module already has (torch 1.13): a submodule cannot take them. */
const MODULE_ATTRIBUTES = new Set(
  'add_module apply bfloat16 buffers children cpu cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules named_buffers named_children named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook register_load_state_dict_post_hook register_module register_parameter requires_grad_ set_extra_state share_memory state_dict to to_empty train training type xpu zero_grad T_destination'.split(' '),
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

function className(network: string | undefined): string {
  if (!network || KEYWORDS.has(network) || RESERVED_LOCALS.has(network) || network === 'Add' || network === 'Concat') return 'Network';
  return network;
}

/** The Python module for a network that checks clean; throws ExportError naming what it cannot write. */
export function exportPytorch(analysis: Analysis, sourceName?: string): string {
  const net = exportable(analysis);
  const body = net.layers.filter((l) => l !== net.fusedSoftmax);
  const written = body.map((l) => {
    const kind = KINDS[l.kind];
    if (!kind) throw new ExportError(`${l.name}: PyTorch export does not know the layer kind '${l.kind}'`, l.name);
    if (MODULE_ATTRIBUTES.has(l.name) || l.name.startsWith('__')) {
      throw new ExportError(`${l.name}: nn.Module already has an attribute '${l.name}', so a layer cannot be named so in PyTorch; rename the layer`, l.name);
    }
    return { layer: l, py: kind(l) };
  });
  const helpers = [...new Set(written.flatMap((w) => w.py.helpers ?? []))];
  const name = className(analysis.network);
  const var_ = (n: string) => (n === net.input.name ? 'x' : local(n));
  const last = body[body.length - 1];

  const init = written.map(({ layer, py }) => {
    const shape = `# -> ${formatShape(output(layer))}`;
    const comment = py.comment ? `  ${shape}; ${py.comment}` : `  ${shape}`;
    return KEYWORDS.has(layer.name) ? `        setattr(self, "${layer.name}", ${py.module})${comment}` : `        self.${layer.name} = ${py.module}${comment}`;
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
    ? [`        # ${net.fusedSoftmax.name} (softmax) is fused with the cross-entropy loss: forward returns the logits, as`, `        # F.cross_entropy expects; torch.softmax(logits, dim=1) gives the probabilities.`, `        return ${result}`]
    : [`        return ${result}`];

  const source = sourceName ? ` from ${sourceName}` : '';
  const lossLine = analysis.loss === 'cross_entropy' ? 'F.cross_entropy(model(x), labels)' : 'F.mse_loss(model(x), targets)';
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
