/**
 * The float32 paths of the version 2 kernels: every PyTorch fixture case (kernels-v2.json) run in Float32Array
 * answers in Float32Array and equals the float64 path run on the same inputs (rounded to float32 first, so an input
 * like 1e−300 that float32 flushes to 0 means the same to both) to 1e-5 relative to each tensor's largest value:
 * float32 carries 6–7 digits, and sums over a window or a channel lose some to cancellation in small results. Moves
 * and selections (crop, adaptive max pooling's winners and outputs) must agree exactly.
 */
import assert from 'node:assert/strict';
import { compute, expected, loadV2 } from './v2cases.js';
import { relError } from './util.js';

/** Outputs that only move or select input values. */
function exact(op: string, k: string): boolean {
  return op === 'crop' || (op === 'adaptive_max_pool2d' && k === 'y');
}

describe('float32 paths of the version 2 kernels against their float64 paths (1e-5)', () => {
  for (const c of loadV2().filter((k) => k.op !== 'erf')) {
    it(c.name, () => {
      const got = compute(c, Float32Array),
        want = compute(c, Float64Array, true);
      for (const k of expected(c)) {
        if (k === 'indices') {
          assert.deepEqual(got[k], want[k], k);
          continue;
        }
        assert.ok(got[k] instanceof Float32Array, `${k} is float32`);
        if (exact(c.op, k)) assert.deepEqual([...got[k]], [...want[k]], k);
        else {
          const e = relError(got[k], want[k]);
          assert.ok(e <= 1e-5, `${k}: relative error ${e.toExponential(2)} > 1e-5`);
        }
      }
    });
  }
});
