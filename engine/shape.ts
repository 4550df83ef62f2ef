/** Shapes of one sample (the batch dimension is implicit): `[C, H, W]` for maps, `[N]` for vectors. */
export type Shape = readonly number[];

/** `64×13×13`, the way every message and hint writes a shape. */
export function formatShape(shape: Shape): string {
  return shape.join('×');
}

export function elementCount(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
