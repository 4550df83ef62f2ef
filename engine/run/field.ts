/**
 * Receptive fields for the local gradient check: one coordinate of a layer's input or parameter moves only
 * some of its outputs, so its central difference can be computed by running the layer on a crop that holds
 * just those outputs and what they read. A crop is an ordinary, smaller step of the same kind (the same
 * kernels run it), so the check still compares the backward with the layer's own forward.
 *
 * Each kind makes its own crops, on its LayerKind (`reaches`, `cropInput`, `cropParam`, `affineIn`,
 * `cropSize`; the shared ones are in engine/layers/crops.ts): conv the output windows covering the coordinate
 * for the filters of its group (a weight moves one filter's map), pool the same windows in one channel,
 * elementwise kinds and merges one element, batchnorm one channel. A kind without them (dense reads a whole
 * sample; adaptive pooling, upsample, crop, deconv, mul, groupnorm) runs whole: correct, slower. This module is
 * what the check asks.
 */
import type { Crop } from '../layers/kind';
import type { ModelNode } from './model';

export type { Crop } from '../layers/kind';

/**
 * Whether any output of the layer reads coordinate `i` of its input: false only for a pixel no window covers
 * (a stride that skips it), whose difference is exactly 0 and costs nothing.
 */
export function reaches(node: ModelNode, i: number): boolean {
  return node.kind.reaches?.(node.step, i) ?? true;
}

/** A crop for input `slot`'s coordinate `i`, or undefined when the layer must run whole. */
export function cropInput(node: ModelNode, x: readonly Float64Array[], slot: number, i: number): Crop | undefined {
  return node.kind.cropInput?.(node.step, x, slot, i);
}

/** A crop for coordinate `i` of parameter `name`, or undefined when the layer must run whole. */
export function cropParam(node: ModelNode, x: readonly Float64Array[], name: string, i: number): Crop | undefined {
  return node.kind.cropParam?.(node.step, x, name, i);
}

/**
 * Forward runs per point: 1 where the layer is affine in what moves (a forward difference from the
 * unperturbed output is then what a central difference gives, up to rounding, at half the cost), else 2.
 */
export function evaluationsPerPoint(node: ModelNode, where: number | string): 1 | 2 {
  return node.kind.affineIn?.(node.config, where) ? 1 : 2;
}

/** Outputs a window crop computes, for costs: about a 3×3 neighbourhood of windows. */
export const WINDOW_OUTPUTS = 9;

/** How much a coordinate's crop computes (LayerKind.cropSize): undefined when the layer runs whole. */
export function cropSize(node: ModelNode): 'element' | 'window' | undefined {
  return node.kind.cropSize?.(node.config);
}
