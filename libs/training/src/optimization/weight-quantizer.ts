import type * as tf from '@tensorflow/tfjs';

export type Quantization = 'float16' | 'uint8' | 'uint16';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half precision bits of a float32, rounded to nearest even (as numpy's astype(float16)). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow: Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow: signed zero
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/**
 * Affine quantisation as tfjs-converter writes it: min and scale per tensor, min nudged so
 * that 0 is exactly representable; TF.js dequantises with value = q * scale + min.
 */
function affine(values: Float32Array, bits: 8 | 16): { q: Uint8Array | Uint16Array; scale: number; min: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const qmax = 2 ** bits - 1;
  const scale = hi - lo > 0 ? (hi - lo) / qmax : 1;
  const min = -Math.round(-lo / scale) * scale;
  const q = bits === 8 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.max(0, Math.min(qmax, Math.round((values[i] - min) / scale)));
  return { q, scale, min };
}

/** Quantises every float32 weight; other dtypes pass through. Returns the new manifest and bytes. */
export function quantizeWeights(
  specs: tf.io.WeightsManifestEntry[],
  data: Buffer,
  dtype: Quantization,
): { specs: tf.io.WeightsManifestEntry[]; data: Buffer } {
  const out: Buffer[] = [];
  const manifest: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = count * 4; // float32 and int32 weights (the only kinds a layers model saves here)
    const slice = data.subarray(offset, offset + bytes);
    offset += bytes;
    if (spec.dtype !== 'float32') {
      out.push(Buffer.from(slice));
      manifest.push(spec);
      continue;
    }
    const values = new Float32Array(slice.buffer.slice(slice.byteOffset, slice.byteOffset + bytes));
    if (dtype === 'float16') {
      const half = Uint16Array.from(values, toFloat16Bits);
      out.push(Buffer.from(half.buffer));
      manifest.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      const { q, scale, min } = affine(values, dtype === 'uint8' ? 8 : 16);
      out.push(Buffer.from(q.buffer, q.byteOffset, q.byteLength));
      manifest.push({ ...spec, quantization: { dtype, scale, min } });
    }
  }
  return { specs: manifest, data: Buffer.concat(out) };
}
