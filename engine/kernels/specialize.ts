/**
 * Per-element-type copies of hot loops. V8 keeps one set of type feedback per function literal, shared by
 * every closure a factory makes from it, so a single kernel fed both Float32Array and Float64Array is
 * compiled polymorphic and runs 1.2–2× slower (measured on the 256³ GEMM: 6.0 → 3.7 GFLOP/s). Re-creating
 * the function from its source gives it its own feedback, hence its own monomorphic compiled code.
 *
 * A template must therefore be self-contained: a plain `function` with no free variables besides globals
 * (`Math`), no nested named functions (esbuild's keepNames would inject a `__name` helper) and no imports.
 * Where `new Function` is forbidden (a Content-Security-Policy without 'unsafe-eval') or the clone does not
 * reproduce the template on a smoke input, the template itself is used: still correct, only slower when
 * both element types are used in one worker.
 */

/** Float arrays every kernel accepts; a kernel's outputs have the element type of its main input. */
export type Floats = Float32Array | Float64Array;

/** Templates whose copy could not be made, by name: empty in Node and in a worker that allows eval. */
export const unspecialized: string[] = [];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function specialize<F extends (...args: any[]) => unknown>(template: F, smoke: (f: F) => boolean): F {
  try {
    const copy = new Function(`"use strict"; return (${template.toString()});`)() as F;
    if (smoke(copy)) return copy;
  } catch {
    // fall through to the shared template
  }
  unspecialized.push(template.name);
  return template;
}

// Scratch arrays by slot and element type, kept across calls (kernels run one at a time per worker).
const scratchArrays = new Map<string, Floats>();

/**
 * An array of at least `n` elements with the element type of `like`, kept under `slot` and reused by the next call
 * (grown when too small; its contents are whatever the last user left). Slots are named per module ("conv.col").
 */
export function scratch<A extends Floats>(like: A, slot: string, n: number): A {
  const key = `${slot}${like instanceof Float32Array ? 32 : 64}`;
  let b = scratchArrays.get(key);
  if (!b || b.length < n) {
    b = alloc(like, n);
    scratchArrays.set(key, b);
  }
  return b as A;
}

/** A zeroed array of `n` elements with the element type of `like`. */
export function alloc<A extends Floats>(like: A, n: number): A {
  return (like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)) as A;
}

/** One copy of `template` per element type, each checked by `smoke` on inputs of its own type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function perType<F extends (...args: any[]) => unknown>(
  template: F,
  smoke: (f: F, T: Float32ArrayConstructor | Float64ArrayConstructor) => boolean,
): { f32: F; f64: F } {
  return {
    f64: specialize(template, (f) => smoke(f, Float64Array)),
    f32: specialize(template, (f) => smoke(f, Float32Array)),
  };
}
