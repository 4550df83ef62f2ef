/**
 * Everything that needs ts-morph (and the TypeScript compiler it carries), as one bundle, dist/tfjs.js, that the
 * CLI requires only when it reads or writes TensorFlow.js code: export to tfjs, import from it, and tfjs code
 * checked in place.
 */
export { exportTfjs } from './export';
export { importTfjs, isImportError, type ImportOptions } from './import';
export { readTfjsCode, type TfCodeAnalysis, type TfDiagnostic, type TfLayer } from './code/read';
