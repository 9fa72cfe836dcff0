import * as tf from '@tensorflow/tfjs';
import { quantizeWeights, toFloat16Bits } from './weight-quantizer';

/** TF.js's own loader decodes what the quantizer writes: the round trip is checked against it. */
describe('weight quantizer (TF.js weight-manifest quantization)', () => {
  const values = Float32Array.from([-1.5, -0.25, 0, 0.001, 0.3333, 2.75, 1e-8, -3]);
  const spec: tf.io.WeightsManifestEntry = { name: 'dense/kernel', shape: [2, 4], dtype: 'float32' };
  const ints: tf.io.WeightsManifestEntry = { name: 'steps', shape: [2], dtype: 'int32' };
  const data = Buffer.concat([Buffer.from(values.buffer), Buffer.from(Int32Array.from([7, -9]).buffer)]);

  const decode = (specs: tf.io.WeightsManifestEntry[], bytes: Buffer) => {
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const map = tf.io.decodeWeights(buf, specs);
    return Object.fromEntries(Object.entries(map).map(([k, t]) => [k, Array.from(t.dataSync())]));
  };

  it.each([
    ['uint8', 5.75 / 255],
    ['uint16', 5.75 / 65535],
    ['float16', 0.002],
  ] as const)('%s: TF.js dequantises to within one step', (dtype, tolerance) => {
    const q = quantizeWeights([spec, ints], data, dtype);
    expect(q.specs[0]).toMatchObject({ name: 'dense/kernel', dtype: 'float32', quantization: { dtype } });
    expect(q.specs[1]).toEqual(ints);
    const bytesPer = dtype === 'uint8' ? 1 : 2;
    expect(q.data.length).toBe(8 * bytesPer + 8);
    const decoded = decode(q.specs, q.data);
    decoded['dense/kernel'].forEach((v, i) =>
      expect(Math.abs(v - values[i])).toBeLessThanOrEqual(Math.max(tolerance, Math.abs(values[i]) * 1e-3)),
    );
    expect(decoded.steps).toEqual([7, -9]);
  });

  it('keeps zero exact under affine quantisation (the min is nudged)', () => {
    const q = quantizeWeights([spec], Buffer.from(values.buffer), 'uint8');
    expect(decode(q.specs, q.data)['dense/kernel'][2]).toBe(0);
  });

  it('rounds float16 like IEEE 754 (nearest even, overflow to infinity, subnormals)', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie: to even
  });
});
