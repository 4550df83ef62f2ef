/**
 * The standard backward rules, written in the rule language, that the checker offers as quick fixes. Each kind
 * writes its own (`standardRules` on its LayerKind, engine/layers/): conv with one group (stride and dilation equal
 * along both axes, padding within the kernel's reach), deconv with one group and stride 1, mean pooling with
 * stride = window and no padding, global mean pooling, dense, every activation (gelu through normcdf and normpdf),
 * nearest upsampling (block sums through eye), crop, flatten, dropout and identity. Max pooling of every form (it
 * needs the argmax), adaptive mean pooling and bilinear upsampling (weight matrices no function builds),
 * batchnorm and groupnorm (statistics across the slice), softmax (fused with the loss) and the merges, mul among
 * them (a rule names one input), have none: docs/language.md, "`backward`", says why for each.
 */
import type { LayerInfo, StandardRules } from '../analysis';

/** The layer's standard rule for each target this notation can write, as whole rules (`dx[c] = …`), by target. */
export function standardRules(layer: LayerInfo): StandardRules {
  return layer.standardRules;
}
