import * as tf from '@tensorflow/tfjs';
import { RgbaImage } from './image-decoder';

/**
 * Turns decoded pixels into one model instance exactly as nsfwjs does: RGB scaled to [0, 1],
 * then a bilinear resize (align corners) to the model's square input size.
 */
export function imageToInstance(image: RgbaImage, size: number): Float32Array {
  return tf.tidy(() => {
    const rgba = tf.tensor3d(image.data, [image.height, image.width, 4], 'int32');
    const rgb = tf.slice(rgba, [0, 0, 0], [image.height, image.width, 3]);
    const scaled = tf.div(tf.cast(rgb, 'float32'), 255) as tf.Tensor3D;
    const resized =
      image.height === size && image.width === size ? scaled : tf.image.resizeBilinear(scaled, [size, size], true);
    return resized.dataSync() as Float32Array;
  });
}
