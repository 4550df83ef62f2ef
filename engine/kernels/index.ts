/**
 * The engine's numeric kernels: pure TypeScript, no runtime dependencies and no Node APIs, so the same code
 * runs in Node, a Node worker and a browser Web Worker. PyTorch's layouts throughout (N×C×H×W activations,
 * [outC, inC/groups, kh, kw] conv weights, [units, in] dense weights). Every kernel takes Float64Array (runs
 * and gradient checks) or Float32Array (big sample runs, benchmarks) and answers in the same type; conv, GEMM
 * and pooling keep a compiled copy per element type (see specialize.ts).
 */
export { type Floats, unspecialized } from './specialize.js';
export { type MatView, gemm, mat, matmul } from './gemm.js';
export { type ConvParamGrads, conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from './conv.js';
export {
  type MaxPoolOptions,
  type MaxPoolResult,
  maxPoolBackward,
  maxPoolForward,
  maxPoolKinks,
  meanPoolBackward,
  meanPoolForward,
} from './pool.js';
export { type DenseShape, denseBackwardInput, denseBackwardParams, denseForward } from './dense.js';
export { type Activation, activationBackward, activationForward } from './activation.js';
export { classLayout, type CrossEntropyResult, crossEntropy, mseLoss, softmaxCrossEntropy } from './loss.js';
export { type BatchNormResult, type BatchNormSaved, batchNormBackward, batchNormForward } from './batchnorm.js';
export { addBackward, addForward, concatBackward, concatForward } from './merge.js';
export {
  type DeconvAxis,
  type DeconvGeometry,
  deconv2dBackwardFilter,
  deconv2dBackwardInput,
  deconv2dForward,
  deconvAsConv,
  deconvOut,
} from './deconv.js';
export {
  type LerpTable,
  type UpsampleGeometry,
  type UpsampleMode,
  lerpTable,
  upsampleBackward,
  upsampleForward,
} from './upsample.js';
export {
  type AdaptiveMaxResult,
  type AdaptivePoolGeometry,
  adaptiveMaxPoolBackward,
  adaptiveMaxPoolForward,
  adaptiveMeanPoolBackward,
  adaptiveMeanPoolForward,
  adaptiveWindow,
} from './adaptivePool.js';
export { type ActivationV2, activationV2Backward, activationV2Forward, normalCdf, normalPdf } from './activationV2.js';
export { erf, erfc } from './erf.js';
export { type GroupNormResult, type GroupNormSaved, groupNormBackward, groupNormForward } from './groupnorm.js';
export { channelMulBackward, channelMulForward, mulBackward, mulForward } from './mul.js';
export { type CropGeometry, cropBackward, cropForward, cropOffset } from './crop.js';
