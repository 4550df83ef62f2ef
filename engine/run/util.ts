/** Small helpers the gradient check's modes share. */

/** A clock in milliseconds: performance.now where the host has it. */
export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** The row-major index of flat position `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return index;
}

/** Whether two arrays differ anywhere (a rerun's ReLU signs or max-pool winners against the base run's). */
export function differs(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}
