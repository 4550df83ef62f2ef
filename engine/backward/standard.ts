/**
 * The standard backward rules, written in the rule language, that the checker offers as quick fixes. Each kind
 * writes its own (`standardRules` on its LayerKind, engine/layers/): conv with one group (stride and dilation equal
 * along both axes, padding within the kernel's reach), mean pooling with stride = window and no padding, dense, the
 * activations, flatten, dropout and identity. Max pooling (it needs the argmax), batchnorm (batch statistics),
 * softmax (fused with the loss) and the merges have none.
 */
import type { LayerInfo, StandardRules } from '../analysis';

/** The layer's standard rule for each target this notation can write, as whole rules (`dx[c] = …`), by target. */
export function standardRules(layer: LayerInfo): StandardRules {
  return layer.standardRules;
}
