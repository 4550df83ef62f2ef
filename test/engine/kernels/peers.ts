/**
 * The two independent implementations the kernels are compared with: TensorFlow.js's CPU backend (float32,
 * NHWC; its CommonJS core registers no gradients, so kernels are run by name) and ConvNetJS (float64, one HWC
 * image per call). Loaded with require: neither is an engine dependency.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
export const tf: any = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
export const convnetjs: any = require('convnetjs');

let ready: Promise<void> | undefined;
export function tfReady(): Promise<void> {
  if (!ready) ready = tf.setBackend('cpu').then(() => undefined);
  return ready as Promise<void>;
}

/** Runs a tfjs kernel by name and returns its output's data, disposing every tensor it made. */
export function runTf(
  kernel: string,
  inputs: Record<string, { data: ArrayLike<number>; shape: number[] }>,
  attrs: object,
): Float32Array {
  const tensors: Record<string, any> = {};
  for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(Float32Array.from(v.data), v.shape, 'float32');
  const out = tf.engine().runKernel(kernel, tensors, attrs);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  for (const t of Object.values(tensors)) t.dispose();
  return data;
}
