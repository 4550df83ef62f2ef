/** The engine's public surface: everything the CLI, the extension and the tests use. No `vscode` here. */
export {
  check,
  runsAt,
  DEFAULT_BATCH,
  DEFAULT_MEMORY_LIMIT,
  DEFAULT_SEED,
  estimateRunBytes,
  formatBytes,
} from './check';
export { GRADCHECK_DEFAULTS, GRADCHECK_MODES, type GradcheckMode } from './defaults';
export type { Analysis, CheckOptions, InputInfo, LayerInfo, LossKind } from './check';
export * from './geometry';
export { LAYER_KINDS } from './layers';
export type { LayerKind } from './layers';
export { parse } from './parser';
export { elementCount, formatShape, sameShape } from './shape';
export type { Shape } from './shape';
export type * from './syntax';
export { dimRange } from './syntax';
export * from './text';
