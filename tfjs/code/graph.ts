/**
 * The model graph behind tfjs code, as read.ts finds it for converting a model (tfjs/import.ts): where each model
 * starts and ends, and each layer application's inputs and config as written. The editor's reading after every
 * edit does without it; only `readTfjsGraph` collects it.
 */
import type { TextRange } from '../../engine/text';
import type { TfCodeAnalysis } from './read';
import type { Shape, Value } from './rules';

/** What made a tensor: the application `layers[layer]`, or the model input `inputs[input]`. */
export type TfSource = { readonly layer: number } | { readonly input: number };

/** Where a model starts: a `tf.input(…)`, or a `tf.sequential(…)` (whose input is its first layer's). */
export interface TfModelInput {
  readonly kind: 'input' | 'sequential';
  /** The call: `tf.input({…})` or `tf.sequential(…)`. */
  readonly range: TextRange;
  /** The function (or variable) the call is written in: how a user names the model. */
  readonly owner?: string;
  /** The function the call is written in: where a cursor picks this model. */
  readonly scope?: TextRange;
  /** The input's shape (a sequential model's first layer's `inputShape`), channels-last; undefined where unknown. */
  shape?: Shape;
  /** `name` of `tf.input`, or of `tf.sequential` (the model's). */
  name?: string;
  /** A sequential model's last layer, while the text lets it be followed. */
  last?: TfSource;
}

/** A `tf.model({ inputs, outputs })` call. */
export interface TfModelCall {
  readonly range: TextRange;
  readonly name?: string;
  /** Each input and output tensor's source; undefined where the text does not say. */
  readonly inputs?: readonly (TfSource | undefined)[];
  readonly outputs?: readonly (TfSource | undefined)[];
}

/** A config property as written: its value where it can be read (values.ts) and its text. */
export interface TfConfigEntry {
  readonly value: Value;
  readonly text: string;
}

/** Per layer application (parallel to `layers`), what converting a model needs beyond its shapes. */
export interface TfLayerDetail {
  /** Whether the config gives a `name`. */
  readonly named: boolean;
  readonly config: Readonly<Record<string, TfConfigEntry>>;
  /** A spread or computed key: any key may be set. */
  readonly open: boolean;
  /** Each input's source; undefined where the text cannot settle it (a loop, a condition, an unknown value). */
  readonly sources: readonly (TfSource | undefined)[];
}

/** The analysis with the model graph: its inputs, `tf.model` calls and each layer's sources and config. */
export interface TfGraph {
  readonly analysis: TfCodeAnalysis;
  readonly inputs: readonly TfModelInput[];
  readonly models: readonly TfModelCall[];
  readonly details: readonly TfLayerDetail[];
}
