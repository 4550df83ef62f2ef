/**
 * What a layer kind tells the export targets: the refusal it throws and the shapes of what it writes, one PyTorch
 * module or a few TensorFlow.js layer calls. A leaf module, so that each kind's file (engine/layers/) can say how
 * it exports without depending on the exporters, which only assemble what the kinds return.
 */

/** A network, or one layer of it, that a target cannot express exactly. The message names the layer. */
export class ExportError extends Error {
  constructor(
    message: string,
    /** The layer that cannot be written, when one is to blame. */
    readonly layer?: string,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

/** One layer in Python: its module (built in `__init__`), and how `forward` calls it on its inputs' variables. */
export interface TorchLayer {
  /** The constructor, e.g. `nn.Conv2d(3, 64, kernel_size=(5, 5))`. */
  readonly module: string;
  /** The call on the module's expression `m` and the inputs' variables; default `m(x)`. */
  readonly call?: (m: string, xs: readonly string[]) => string;
  /** Says where PyTorch's layer and the .cnn one differ in what they keep or do. */
  readonly comment?: string;
  /** Helper classes the module needs, written once above the network's class. */
  readonly helpers?: readonly string[];
}

/** One tfjs layer call: `tf.layers.<fn>(<config>)`, applied to the previous call's output (or the inputs). */
export interface TfCall {
  readonly fn: string;
  /** The config object's properties, written as TypeScript (`name` is added by the writer). */
  readonly config: Readonly<Record<string, string>>;
  /** The suffix of this call's layer name after the .cnn layer's (`_pad`); the layer's own call has none. */
  readonly suffix?: string;
  /** Where tfjs and PyTorch conventions differ, said beside the call. */
  readonly comment?: string;
}
