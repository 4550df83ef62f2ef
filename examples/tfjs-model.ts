// A TensorFlow.js model with two mistakes, as CNN Lens reads it in place: shapes after each layer config
// (channels-last, as tfjs has them), errors at the config object that causes them. `npx cnn-lens check
// examples/tfjs-model.ts` prints the same.
import * as tf from '@tensorflow/tfjs';

const CHANNELS = 3;
const WIDTH = 32;

export function classifier(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [WIDTH, WIDTH, CHANNELS], filters: 16, kernelSize: 5, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  // dense on a 7×7×32 map: tfjs applies it to the last axis only (a flatten is missing)
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

export function residual(): tf.LayersModel {
  const input = tf.input({ shape: [WIDTH, WIDTH, CHANNELS] });
  const a = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' }).apply(a) as tf.SymbolicTensor;
  // 16 channels against 32: tf.layers.add needs equal shapes
  const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(sum) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: pooled });
}
