// A small TensorFlow.js U-Net that converts to .cnn exactly: `npx cnn-lens import examples/tfjs-unet.ts`, or
// "CNN Lens: Convert TensorFlow.js Model to .cnn" with this file open. The 'same' paddings become the explicit
// pads they mean, each activation a line of its own, and the initializer a comment saying it was dropped.
import * as tf from '@tensorflow/tfjs';

const SIZE = 32;

export function unet(): tf.LayersModel {
  const image = tf.input({ name: 'image', shape: [SIZE, SIZE, 3] });
  const e1 = tf.layers
    .conv2d({
      name: 'e1',
      filters: 16,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: 'heNormal',
    })
    .apply(image) as tf.SymbolicTensor;
  const d1 = tf.layers.maxPooling2d({ name: 'd1', poolSize: 2 }).apply(e1) as tf.SymbolicTensor;
  const e2 = tf.layers
    .conv2d({ name: 'e2', filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })
    .apply(d1) as tf.SymbolicTensor;
  const up = tf.layers
    .conv2dTranspose({ name: 'up', filters: 16, kernelSize: 4, strides: 4 })
    .apply(e2) as tf.SymbolicTensor;
  const skip = tf.layers.concatenate({ name: 'skip' }).apply([up, e1]) as tf.SymbolicTensor;
  const head = tf.layers.conv2d({ name: 'head', filters: 2, kernelSize: 1 }).apply(skip) as tf.SymbolicTensor;
  return tf.model({ name: 'unet', inputs: image, outputs: head });
}
