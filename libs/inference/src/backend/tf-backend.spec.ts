import * as tf from '@tensorflow/tfjs';
import { InferenceErrorCode } from '../inference.error';
import { resetBackendSelection, selectBackend } from './tf-backend';

describe('selectBackend', () => {
  afterEach(() => resetBackendSelection());

  it('falls through the missing tfjs-node packages to wasm, offline', async () => {
    await expect(selectBackend('')).resolves.toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(tf.tidy(() => tf.square(tf.tensor1d([2, 3])).dataSync()))).toEqual([4, 9]);
  });

  it('honours a forced backend', async () => {
    await expect(selectBackend('cpu')).resolves.toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it.each(['tfjs-node', 'tfjs-node-gpu', 'webgl'])(
    'fails start-up clearly when TFJS_BACKEND=%s cannot load',
    async (name) => {
      await expect(selectBackend(name)).rejects.toMatchObject({
        inferenceCode: InferenceErrorCode.BACKEND_UNAVAILABLE,
        message: expect.stringContaining(`TFJS_BACKEND=${name}`),
      });
    },
  );
});
