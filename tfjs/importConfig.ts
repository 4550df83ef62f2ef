/**
 * What the tfjs import's layer mapping (importLayers.ts) works with: the refusal it throws, the lines a layer
 * becomes, what a folded layer hands on, and a layer's config as read, whose keys the mapping does not read
 * become the comment lines that say what was dropped.
 */
import type { TfConfigEntry, TfGraph, TfLayerDetail, TfSource } from './code/read';
import type { Shape, Value } from './code/rules';

/** A model, or one layer of it, that .cnn cannot express exactly. The message names the layer. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export const isImportError = (e: unknown): e is ImportError => e instanceof Error && e.name === 'ImportError';

/** One `.cnn` line without its name and input: `conv 16 5x5 stride=2`. */
export interface Line {
  readonly text: string;
}

/** A tfjs layer as `.cnn` lines; the first reads `inputs`, each other line the one above it. */
export interface Unit {
  readonly lines: readonly Line[];
  /** The line that carries the layer's name and asserts its tfjs shape. */
  readonly named: number;
  /** A merge (`add`, `concat`, `mul`) names every input; other lines read one. */
  readonly merge?: boolean;
  readonly inputs: readonly TfSource[];
  readonly comments: readonly string[];
}

/** What a folded layer hands the one layer that reads it, in place of a line of its own. */
export interface Fold {
  readonly source: TfSource;
  /** zeroPadding2d: top, bottom, left, right. */
  readonly pad?: readonly [number, number, number, number];
  /** permute([3, 1, 2]): the flatten after it is in C,H,W order. */
  readonly chw?: boolean;
  /** The `X_flat` flatten (after its permute) that the tfjs export writes before a dense X, which flattens itself. */
  readonly flat?: boolean;
  /** A global pool that the `reshape([1, 1, C])` after it turns back into C×1×1. */
  readonly global?: 'max' | 'mean';
}

export interface Context {
  readonly g: TfGraph;
  readonly index: number;
  readonly fn: string;
  readonly label: string;
  readonly cfg: Cfg;
  /** Channels-last, per sample, all known. */
  readonly inputs: readonly Shape[];
  readonly output: Shape;
  readonly sources: readonly TfSource[];
  /** The layers (indices) that read this one. */
  readonly readers: readonly number[];
  /** The folded layer behind input k, if that input is one. */
  fold(k: number): Fold | undefined;
}

const SILENT = new Set(['name', 'inputShape', 'batchInputShape', 'batchSize', 'dtype']);

function dropReason(key: string): string {
  if (/Initializer$/.test(key)) return 'a .cnn run draws its own initial weights';
  if (/Regularizer$/.test(key)) return '.cnn has no regularizers';
  if (/Constraint$/.test(key)) return '.cnn has no weight constraints';
  if (key === 'trainable') return 'every .cnn parameter is trained';
  if (key === 'momentum') return '.cnn batchnorm keeps no moving averages: it uses the batch statistics';
  return 'not a .cnn option';
}

/** A layer's config as the mapping reads it; the keys it does not read become comments. */
export class Cfg {
  private readonly used = new Set<string>(SILENT);

  constructor(
    private readonly detail: TfLayerDetail,
    private readonly label: string,
  ) {
    if (detail.open)
      throw new ImportError(`${label}: its config has a spread or a computed key, so its options cannot be read`);
  }

  has(key: string): boolean {
    return key in this.detail.config;
  }

  /** The value, `fallback` when the key is absent; throws when it is there but cannot be read. */
  value(key: string, fallback?: Value): Value {
    this.used.add(key);
    const e: TfConfigEntry | undefined = this.detail.config[key];
    if (!e) return fallback;
    if (e.value === undefined)
      throw new ImportError(`${this.label}: ${key}: ${e.text} is not a literal, a const or arithmetic on them`);
    return e.value;
  }

  number(key: string, fallback?: number): number {
    const v = this.value(key, fallback);
    if (typeof v !== 'number') throw new ImportError(`${this.label}: ${key} needs a number`);
    return v;
  }

  word(key: string, fallback: string): string {
    const v = this.value(key, fallback);
    if (typeof v !== 'string') throw new ImportError(`${this.label}: ${key} needs a string`);
    return v;
  }

  flag(key: string, fallback: boolean): boolean {
    const v = this.value(key, fallback);
    if (typeof v !== 'boolean') throw new ImportError(`${this.label}: ${key} needs true or false`);
    return v;
  }

  /** A number or [h, w]. */
  pair(key: string, fallback?: readonly [number, number]): readonly [number, number] {
    const v = this.value(key, fallback as Value);
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]] as const;
    throw new ImportError(`${this.label}: ${key} needs a number or [height, width]`);
  }

  /** Comment lines for the keys the mapping did not read. */
  dropped(): string[] {
    return Object.entries(this.detail.config)
      .filter(([k]) => !this.used.has(k))
      .map(([k, e]) => `# ${this.label}: ${k}: ${e.text} dropped (${dropReason(k)})`);
  }
}
