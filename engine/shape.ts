/** Shapes of one sample (the batch dimension is implicit): `[C, H, W]` for maps, `[N]` for vectors. */
export type Shape = readonly number[];

/** `64×13×13`, the way every message and hint writes a shape. */
export function formatShape(shape: Shape): string {
  return shape.join('×');
}

/** The product of the dimensions, left to right (1 for none). A loop: the checker asks for every layer. */
export function elementCount(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
