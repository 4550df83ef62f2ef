/** Sample runs and gradient checks: pure TypeScript, the same in Node, a Node worker and a Web Worker. */
export { sampleRun, type RunDump, type Tensor } from './dump';
export { assemble, checkTensors, deltaMap, GRADCHECK_MODES, gradcheck, gradcheckModel, layerMeta } from './gradcheck';
export type { Coordinate, DeltaMap, GradcheckMode, GradcheckOptions, GradcheckProgress, GradcheckResult, LayerCheck, LayerMeta, PartialCheck, Selection, Shard, TensorCheck } from './gradcheck';
export { FAULTS, type FaultName, withFault } from './faults';
export { type BackwardOverride, buildModel, type Model, type ModelNode, RunError, type RunOptions, type SampleData } from './model';
export { backwardPass, forwardPass, type Gradients, type Pass } from './pass';
export { Random } from './random';
