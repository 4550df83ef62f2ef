import type { Analysis } from '../engine';
import { ExportError } from '../engine/export/common';

export function exportTfjs(_a: Analysis, _source?: string): string {
  throw new ExportError('TensorFlow.js export is not written yet');
}
