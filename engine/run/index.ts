/** Sample runs and gradient checks: pure TypeScript, the same in Node, a Node worker and a Web Worker. */
export { sampleRun, type RunDump, type Tensor } from './dump';
export { gradcheck, gradcheckModel } from './gradcheck';
export type { Coordinate, GradcheckMode, GradcheckOptions, GradcheckProgress, GradcheckResult, LayerCheck, TensorCheck } from './gradcheck';
export { type BackwardOverride, buildModel, type Model, type ModelNode, RunError, type RunOptions, type SampleData } from './model';
export { backwardPass, forwardPass, type Gradients, type Pass } from './pass';
export { Random } from './random';
