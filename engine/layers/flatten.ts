/** flatten: C×H×W to a vector of C·H·W in C,H,W order (torch.flatten); δ is reshaped back. */
import { chw, str } from '../export/tfjsCalls';
import { elementCount, formatShape } from '../shape';
import { elementCrop } from './crops';
import { expectArgs, type LayerKind, type Nothing } from './kind';

const NOTHING: Nothing = {};

export const flatten: LayerKind<Nothing, Nothing> = {
  kind: 'flatten',
  summary: 'reshape C×H×W to a vector of C·H·W, in C,H,W order',
  usage: 'flatten',
  options: {},
  // Every flatten layer shares one (empty) configuration.
  configure: (args, _o, cx) => (expectArgs(args, [], cx) ? NOTHING : undefined),
  infer: (_c, [input]) => ({ output: [elementCount(input.shape)] }),
  rule: (_c, [input], cx) =>
    `${cx.deltaOf(input.name)} ${formatShape(input.shape)} = reshape(δ(${cx.layer}) ${elementCount(input.shape)}, ${formatShape(input.shape)})`,
  standardRules: (_c, [input]) => ({ dx: `dx = reshape(dy, ${input.shape.join(', ')})` }),
  // Row-major memory is already in C,H,W order: flattening moves nothing.
  forward: (_c, _step, [x]) => ({ y: x }),
  backward: (_c, _step, _x, _f, dy) => ({ dx: [dy] }),
  affineIn: () => true,
  cropInput: elementCrop,
  cropSize: () => 'element',
  label: () => 'flatten',
  roughRule: 'reshape',
  torch: () => ({ module: 'nn.Flatten()' }),
  tfjs: ({ inputs: [x] }) =>
    x.length === 3
      ? [...chw(x), { fn: 'flatten', config: {} }]
      : [{ fn: 'activation', config: { activation: str('linear') }, comment: 'flatten of a vector: the identity' }],
};
