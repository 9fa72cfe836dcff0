import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { decodeInstances, decodeRgba, NotImageError } from './image-codec';
import { ImageDecodePool } from './image-pool';
import { imageToInstance } from './image-preprocessor';

const LIMITS = { maxBytes: 8 * 1024 * 1024, maxMegapixels: 25 };

function pngBase64(width: number, height: number, seed = 7): string {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * seed) % 256;
  return PNG.sync.write(png).toString('base64');
}

function jpegBase64(width: number, height: number): string {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13) % 256;
  return jpeg.encode({ width, height, data }, 85).data.toString('base64');
}

describe('image decoding off the event loop', () => {
  let pool: ImageDecodePool;
  beforeAll(() => (pool = new ImageDecodePool(2)));
  afterAll(() => pool.close());

  it('prepares pixels as nsfwjs does with TF.js: RGB / 255, bilinear resize with aligned corners', () => {
    for (const [w, h, size] of [
      [64, 48, 96],
      [300, 200, 64],
      [96, 96, 96],
      [7, 120, 32],
    ]) {
      const image = decodeRgba(pngBase64(w, h), LIMITS);
      const ours = decodeInstances([pngBase64(w, h)], size, LIMITS);
      const tfjs = imageToInstance(image, size);
      expect(ours.length).toBe(tfjs.length);
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - tfjs[i]));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('gives the same instances on a worker thread as on this one, for PNG and JPEG', async () => {
    const images = [pngBase64(64, 48), jpegBase64(300, 200), `data:image/png;base64,${pngBase64(10, 10, 3)}`];
    const here = decodeInstances(images, 224, LIMITS);
    const there = await pool.decode(images, 224, LIMITS);
    // (Jest's globals are another realm than the worker's message: compare the tag, not the class.)
    expect(Object.prototype.toString.call(there)).toBe('[object Float32Array]');
    expect(Buffer.from(there.buffer).equals(Buffer.from(here.buffer))).toBe(true);
  });

  it('decodes concurrent requests on at most its threads, each getting its own images back', async () => {
    const requests = Array.from({ length: 8 }, (_, k) => [pngBase64(32 + k, 32, k + 2)]);
    const results = await Promise.all(requests.map((r) => pool.decode(r, 16, LIMITS)));
    expect(pool.started).toBeLessThanOrEqual(2);
    results.forEach((data, k) =>
      expect(Array.from(data)).toEqual(Array.from(decodeInstances(requests[k], 16, LIMITS))),
    );
  });

  it.each([
    ['text', Buffer.from('hello, not an image').toString('base64')],
    ['a truncated PNG', pngBase64(8, 8).slice(0, 60)],
    ['not base64', '%%%'],
    ['a number', 42],
  ])('refuses %s with NotImageError, and the pool keeps serving', async (_, image) => {
    await expect(pool.decode([image], 224, LIMITS)).rejects.toBeInstanceOf(NotImageError);
    await expect(pool.decode([pngBase64(4, 4)], 8, LIMITS)).resolves.toHaveLength(8 * 8 * 3);
  });

  it('refuses work once closed', async () => {
    const closed = new ImageDecodePool(1);
    await closed.close();
    await expect(closed.decode([pngBase64(4, 4)], 8, LIMITS)).rejects.toThrow('closed');
  });
});
