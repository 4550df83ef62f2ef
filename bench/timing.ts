/** Timing helpers for the kernel bench: medians over interleaved rounds, with a per-sample floor. */

/** Milliseconds per call of `fn`, repeating it until at least `minMs` have passed so tiny kernels are not timer noise. */
export function sample(fn: () => void, minMs = 30): number {
  let calls = 0;
  const t0 = performance.now();
  let t: number;
  do {
    fn();
    calls++;
    t = performance.now();
  } while (t - t0 < minMs);
  return (t - t0) / calls;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Collects per-round samples under a key and reports their median. */
export class Samples {
  private readonly map = new Map<string, number[]>();

  add(key: string, ms: number): void {
    const list = this.map.get(key);
    if (list) list.push(ms);
    else this.map.set(key, [ms]);
  }

  median(key: string): number {
    const list = this.map.get(key);
    if (!list || list.length === 0) throw new Error(`bench: no samples for ${key}`);
    return median(list);
  }

  count(key: string): number {
    return this.map.get(key)?.length ?? 0;
  }
}

/** Seeded uniform data in [-1, 1), so every run of the bench times the same numbers. */
export function fill<A extends Float32Array | Float64Array>(a: A, seed: number): A {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2147483648 - 1;
  }
  return a;
}
