/**
 * Seeded, portable random numbers for sample runs: the same seed gives the same inputs, labels and weights on
 * every machine and in every host (Node, worker, browser). Each purpose draws from its own stream, keyed by a
 * name (`input`, `labels`, a layer's name), so adding a layer changes no other layer's weights.
 */

/** 32-bit FNV-1a of a string, to key a stream. */
function hash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** sfc32 (Chris Doty-Humphrey's small fast counter): 128 bits of state, passes PractRand to 2^40 bytes. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  // The second Box–Muller value, kept as a plain double (a `number | undefined` field boxes every store).
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number, stream = '') {
    this.a = hash(stream, seed >>> 0);
    this.b = hash(stream, Math.floor(seed / 2 ** 32) ^ 0x9e3779b9);
    this.c = hash(`${stream}#`, seed >>> 0);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  /**
   * `fill(n, (r) => r.uniform(lo, hi))` and `fill(n, (r) => r.normal() * scale)`, the same numbers, without a
   * call per element through `fill`'s megamorphic `draw`, whose every result is boxed: drawing a ResNet's
   * directions and weights that way allocated hundreds of megabytes of heap numbers.
   */
  uniforms(n: number, lo: number, hi: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  normals(n: number, scale = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * scale;
    return out;
  }

  fill(n: number, draw: (r: Random) => number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = draw(this);
    return out;
  }
}
