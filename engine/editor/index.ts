/** Editor services over an Analysis, shared by the VS Code extension (desktop and web) and the tests. */
export { type Completion, completionsAt } from './complete';
export { deltaLabel, layerAt, layerMarkdown, outputLabel, ruleFunctionAt, useMarkdown } from './describe';
export {
  BLOCKS,
  definitionOf,
  type Occurrence,
  occurrenceAt,
  occurrences,
  referencesTo,
  renameEdits,
} from './navigate';
export {
  blockStatements,
  blockUseAt,
  blockUseMarkdown,
  blockUses,
  type OutlineNode,
  outline,
  type ShapeHint,
  shapeHints,
} from './blocks';
