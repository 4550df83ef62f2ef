/** Sample runs and gradient checks: pure TypeScript, the same in Node, a Node worker and a Web Worker. */
export { sampleRun, type RunDump, type Tensor } from './dump';
export { assemble, checkTensors, deltaMap, gradcheck, gradcheckModel, layerMeta } from './gradcheck';
export type {
  Coordinate,
  DeltaMap,
  GradcheckMode,
  GradcheckOptions,
  GradcheckProgress,
  GradcheckResult,
  LayerCheck,
  LayerMeta,
  PartialCheck,
  Selection,
  Shard,
  TensorCheck,
  TensorVerdict,
} from './gradcheck';
export {
  aboutDuration,
  type CheckEstimate,
  type CheckPlan,
  checkCosts,
  estimateCheck,
  type TensorCost,
} from './estimate';
export type { ChainPart } from './local';
export { assembleFinished } from './partial';
export { FANOUT_NOT_SUMMED, FAULTS, type FaultName, withFault } from './faults';
export {
  type BackwardOverride,
  buildModel,
  type Gather,
  type Model,
  type ModelNode,
  RunError,
  type RunOptions,
  type SampleData,
} from './model';
export { backwardPass, type Base, basePasses, forwardPass, type Gradients, type Pass } from './pass';
export { Random } from './random';
export {
  type Difference,
  excess,
  inconclusive,
  relError,
  roundingFloor,
  type Tolerance,
  type Verdict,
  verdict,
} from './verdict';
