/**
 * softmax: only as the last layer, where it is fused with the cross-entropy loss: p = softmax over the
 * channels (a vector's entries), loss = mean over the batch of −log p[label], and the δ at softmax's input is
 * (p − onehot(label)) / N, the rule that makes the pair cheap and stable.
 */
import { formatShape } from '../shape';
import { expectArgs, type LayerKind } from './kind';

export const softmax: LayerKind<{}, {}> = {
  kind: 'softmax',
  summary: 'softmax over the classes, fused with the cross-entropy loss; only as the last layer',
  usage: 'softmax',
  options: {},
  configure: (args, _o, cx) => (expectArgs(args, [], cx) ? {} : undefined),
  infer(_c, [input], cx) {
    const shape = formatShape(input.shape);
    return {
      output: input.shape,
      rule: `${cx.deltaOf(input.name)} ${shape} = (p − onehot(label)) / N, p = softmax(${input.name}) ${shape} over the ${input.shape[0]} classes, N the batch size`,
    };
  },
};
