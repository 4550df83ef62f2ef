/**
 * The one protocol between the extension host and its engine workers (Node `worker_threads` on desktop, a Web
 * Worker in the browser): each direction a discriminated union with a doc comment per message. Types and
 * validators only, no `vscode`, so both the extension and the worker bundles import it; each side checks what
 * it receives (`isToWorker`, `isFromWorker`) before acting on it.
 *
 * The worker gets the network's text, not an Analysis: an Analysis holds lazy getters and the parsed tree,
 * which structured clone would drop or copy at length, and checking the text again in the worker costs
 * microseconds beside a gradient check.
 */
import { isCoordinate, isInt, isMode, isObject, isString, isStrings, isTensorCheck } from '../../webview/guards';
import type {
  ChainPart,
  DeltaMap,
  FaultName,
  GradcheckMode,
  GradcheckProgress,
  LayerMeta,
  PartialCheck,
  Shard,
  TensorVerdict,
} from '../../engine/run';
import { FAULTS } from '../../engine/run/faults';

/** How to build and check the model; what `RunOptions` and `GradcheckOptions` take, minus functions. */
export interface EngineOptions {
  /** Unset: directional, then sampled. */
  readonly mode?: GradcheckMode;
  readonly samples: number;
  readonly eps: number;
  /** The pass rule's tolerances, |a − n| ≤ atol + rtol·|n|: sent, so the worker and `assemble` use the same. */
  readonly atol: number;
  readonly rtol: number;
  /** Unset: the file's `sample batch=`, else 2. */
  readonly batch?: number;
  /** Unset: the file's `sample seed=`, else 1. */
  readonly seed?: number;
  readonly memoryLimit: number;
  /** For tests only: a named wrong backward injected into one layer (engine/run/faults.ts). */
  readonly fault?: { readonly layer: string; readonly name: FaultName };
}

/** Extension → worker. */
export type ToWorker =
  /** Say what a check with these options will cost, before it starts; answered by `estimated` or `failed`. */
  | { readonly type: 'estimate'; readonly id: number; readonly text: string; readonly options: EngineOptions }
  /** Check one shard of the network's tensors; answered by `progress` reports, then `checked` or `failed`. */
  | {
      readonly type: 'check';
      readonly id: number;
      readonly text: string;
      readonly options: EngineOptions;
      readonly shard: Shard;
    }
  /** Compute one channel of one sample of a layer's δ, analytic beside numeric; answered by `deltaMap` or `failed`. */
  | {
      readonly type: 'deltaMap';
      readonly id: number;
      readonly text: string;
      readonly options: EngineOptions;
      readonly layer: string;
      readonly sample: number;
      readonly channel: number;
    };

/** Worker → extension. Every answer carries the `id` of the request it answers. */
export type FromWorker =
  /** How far a check has got, at most every 50 ms. */
  | { readonly type: 'progress'; readonly id: number; readonly progress: GradcheckProgress }
  /** A check's verdict on one tensor, as soon as it is known (a cancelled run keeps these). */
  | { readonly type: 'verdict'; readonly id: number; readonly verdict: TensorVerdict }
  /** The local modes: one layer's part of the chain check of a δ it reads, when the layer is done (kept as verdicts are). */
  | { readonly type: 'chain'; readonly id: number; readonly chain: ChainPart }
  /**
   * A whole check's evaluations and about how long it takes on one thread, with what a result needs of the
   * model (to assemble the layers a cancelled run finished) and the loss of its forward pass.
   */
  | {
      readonly type: 'estimated';
      readonly id: number;
      readonly evaluations: number;
      readonly ms: number;
      readonly layers: readonly LayerMeta[];
      readonly batch: number;
      readonly seed: number;
      readonly loss: number;
    }
  /** A shard's verdicts, with what `assemble` needs of the model it built. */
  | {
      readonly type: 'checked';
      readonly id: number;
      readonly part: PartialCheck;
      readonly layers: readonly LayerMeta[];
      readonly batch: number;
      readonly seed: number;
    }
  /** A heat-map's data. */
  | { readonly type: 'deltaMap'; readonly id: number; readonly map: DeltaMap }
  /**
   * The request failed: the network's errors, its memory, a NaN (a RunError, with `layer` when one layer made
   * it), or a bug, as text.
   */
  | {
      readonly type: 'failed';
      readonly id: number;
      readonly message: string;
      readonly diagnostics: readonly string[];
      readonly layer?: string;
    };

/** What the extension relies on of a shard's checks: each tensor's verdict, named by layer and tensor. */
function isPartialCheck(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.loss === 'number' &&
    isInt(v.evaluations) &&
    Array.isArray(v.checks) &&
    v.checks.every((c) => isObject(c) && isString(c.layer) && isString(c.tensor) && isTensorCheck(c.check)) &&
    (v.compared === undefined ||
      (Array.isArray(v.compared) &&
        v.compared.every((c) => isCoordinate(c) && typeof (c as { kink?: unknown }).kink === 'boolean')))
  );
}

/** A layer as a result names it (engine/run/gradcheck.ts LayerMeta). */
function isLayerMeta(v: unknown): boolean {
  return (
    isObject(v) &&
    isString(v.name) &&
    isString(v.kind) &&
    (v.line === undefined || isInt(v.line, 1)) &&
    isStrings(v.inputs) &&
    typeof v.custom === 'boolean' &&
    isStrings(v.params)
  );
}

function isEngineOptions(v: unknown): v is EngineOptions {
  return (
    isObject(v) &&
    (v.mode === undefined || isMode(v.mode)) &&
    isInt(v.samples, 1) &&
    typeof v.eps === 'number' &&
    v.eps > 0 &&
    typeof v.atol === 'number' &&
    typeof v.rtol === 'number' &&
    (v.batch === undefined || isInt(v.batch, 1)) &&
    (v.seed === undefined || isInt(v.seed)) &&
    typeof v.memoryLimit === 'number' &&
    (v.fault === undefined ||
      (isObject(v.fault) &&
        typeof v.fault.layer === 'string' &&
        typeof v.fault.name === 'string' &&
        Object.hasOwn(FAULTS, v.fault.name)))
  );
}

/** Checks a request before the worker acts on it. */
export function isToWorker(v: unknown): v is ToWorker {
  if (!isObject(v) || !isInt(v.id) || typeof v.text !== 'string' || !isEngineOptions(v.options)) return false;
  switch (v.type) {
    case 'estimate':
      return true;
    case 'check':
      return isObject(v.shard) && isInt(v.shard.count, 1) && isInt(v.shard.index) && v.shard.index < v.shard.count;
    case 'deltaMap':
      return typeof v.layer === 'string' && isInt(v.sample) && isInt(v.channel);
    default:
      return false;
  }
}

/** Checks an answer before the extension acts on it. */
export function isFromWorker(v: unknown): v is FromWorker {
  if (!isObject(v) || !isInt(v.id)) return false;
  switch (v.type) {
    case 'progress':
      return isObject(v.progress) && isInt(v.progress.done) && isInt(v.progress.total);
    case 'verdict':
      return (
        isObject(v.verdict) && isString(v.verdict.layer) && isString(v.verdict.tensor) && isTensorCheck(v.verdict.check)
      );
    case 'chain':
      return (
        isObject(v.chain) &&
        isString(v.chain.layer) &&
        (v.chain.reader === undefined || isString(v.chain.reader)) &&
        Array.isArray(v.chain.points) &&
        v.chain.points.every(
          (p) =>
            isObject(p) &&
            Array.isArray(p.index) &&
            typeof p.analytic === 'number' &&
            typeof p.numeric === 'number' &&
            typeof p.kink === 'boolean' &&
            typeof p.floor === 'number',
        )
      );
    case 'estimated':
      return (
        isInt(v.evaluations) &&
        typeof v.ms === 'number' &&
        Array.isArray(v.layers) &&
        isInt(v.batch, 1) &&
        isInt(v.seed) &&
        typeof v.loss === 'number'
      );
    case 'checked':
      return (
        isPartialCheck(v.part) &&
        Array.isArray(v.layers) &&
        v.layers.every(isLayerMeta) &&
        isInt(v.batch, 1) &&
        isInt(v.seed)
      );
    case 'deltaMap':
      return (
        isObject(v.map) && Array.isArray(v.map.analytic) && Array.isArray(v.map.numeric) && Array.isArray(v.map.kinks)
      );
    case 'failed':
      return (
        typeof v.message === 'string' &&
        Array.isArray(v.diagnostics) &&
        (v.layer === undefined || typeof v.layer === 'string')
      );
    default:
      return false;
  }
}
