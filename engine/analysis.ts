/**
 * What the checker answers: the analysis of a document, read by the editor features (editor/), the runs (run/)
 * and the backward rules (backward/). Types only, so that every part of the engine can depend on it and it on
 * nothing of theirs: the checker (check.ts) makes these, the rest read them.
 */
import type { Window2D } from './geometry';
import type { LossKind, ParamSpec, StandardRules } from './layers/kind';
import type { Expr } from './backward/syntax';
import type { Shape } from './shape';
import type { BackwardStatement, InputStatement, LayerStatement, ParsedDocument } from './syntax';
import type { Diagnostic, LineIndex, TextRange } from './text';

export type { LossKind, StandardRules } from './layers/kind';

export interface CheckOptions {
  /** Bytes a sample run may use before `too-large` (default 1 GiB). */
  readonly memoryLimit?: number;
  /** The batch a sample run will use, when a flag or setting overrides the file's `sample batch=`. */
  readonly batch?: number;
}

export interface LayerInfo {
  readonly name: string;
  readonly kind: string;
  readonly statement: LayerStatement;
  /** The explicit name if written, else the kind. */
  readonly nameRange: TextRange;
  /** 1-based line of the statement. */
  readonly line: number;
  readonly inputs: readonly string[];
  /** The shapes arriving, which are also the δ shapes at the layer's input(s); null where unknown. */
  readonly inputShapes: readonly (Shape | null)[];
  /** Output shape, which is also the δ shape at the output; null where unknown. */
  readonly output: Shape | null;
  readonly params: readonly ParamSpec[];
  readonly paramCount: number;
  readonly macs: number;
  /** How δ gets from the output to the input(s), in the network's own sizes. */
  readonly rule?: string;
  readonly paramRules?: readonly string[];
  /** The standard backward rules in the rule language, by target; empty where the notation cannot write them. */
  readonly standardRules: StandardRules;
  /** The kind's own geometry record, handed to its kernels; undefined for a kind without one. */
  readonly geometry?: unknown;
  /** The sliding windows in that geometry (conv, pool): which input rows and columns the layer reads. */
  readonly windows?: Window2D;
  /** The kind's own configuration, for the engine; undefined after an error in the options. */
  readonly config?: unknown;
}

export interface InputInfo {
  readonly name: string;
  readonly shape: Shape | null;
  readonly statement: InputStatement;
}

/** A rule that passed the checks, ready to evaluate: its target, the target's index ranges and each sum's. */
export interface CompiledRule {
  /** The layer the rule is for. */
  readonly layer: string;
  /** dx, dW, db, …: the δ at the input or a parameter's gradient. */
  readonly target: string;
  /** The ranges of the target's index variables, in order (dx[c]: the input's channels). */
  readonly ranges: readonly number[];
  readonly vars: readonly string[];
  readonly expr: Expr;
  readonly sums: ReadonlyMap<Expr, number>;
}

export interface Analysis {
  readonly document: ParsedDocument;
  readonly lines: LineIndex;
  readonly network?: string;
  readonly input?: InputInfo;
  readonly layers: readonly LayerInfo[];
  readonly loss: LossKind;
  readonly sample: { readonly batch?: number; readonly seed?: number };
  readonly backward: readonly BackwardStatement[];
  /** The backward rules that passed their checks, one per layer and target: what runs use instead of the built-in. */
  readonly rules: readonly CompiledRule[];
  /** Sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}
