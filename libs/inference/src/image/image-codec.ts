// No @app imports here: this module also runs inside the image decode workers.
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** Decoded pixels, RGBA, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface ImageLimits {
  /** Largest encoded size accepted (bytes). */
  maxBytes: number;
  /** Largest decoded size accepted (megapixels): guards against decompression bombs. */
  maxMegapixels: number;
}

/** The client sent something that is not a PNG or JPEG we take (NOT_IMAGE once it leaves the codec). */
export class NotImageError extends Error {
  override readonly name = 'NotImageError';
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}$/;

const startsWith = (bytes: Buffer, magic: number[]): boolean => magic.every((b, i) => bytes[i] === b);

/** Accepts raw base64 or a data: URL (what browsers hand out). */
function bytesOf(base64: unknown, limits: ImageLimits): Buffer {
  if (typeof base64 !== 'string') throw new NotImageError('an image must be a base64 string');
  const body = base64.startsWith('data:') ? base64.slice(base64.indexOf(',') + 1) : base64;
  if (body.length > Math.ceil(limits.maxBytes / 3) * 4 + 4)
    throw new NotImageError(`the image is larger than ${limits.maxBytes} bytes`);
  if (!BASE64.test(body)) throw new NotImageError('the image is not valid base64');
  return Buffer.from(body, 'base64');
}

/** Format and size checks that need no decoding (what a cold model checks before it loads). */
export function sniffImage(base64: unknown, limits: ImageLimits): 'png' | 'jpeg' {
  return sniffBytes(bytesOf(base64, limits), limits);
}

function sniffBytes(bytes: Buffer, limits: ImageLimits): 'png' | 'jpeg' {
  if (startsWith(bytes, PNG_MAGIC)) {
    // Read the size from the IHDR chunk before inflating anything.
    if (bytes.length < 24) throw new NotImageError('truncated PNG');
    const width = bytes.readUInt32BE(16);
    const height = bytes.readUInt32BE(20);
    if (width * height > limits.maxMegapixels * 1e6)
      throw new NotImageError(`the image is larger than ${limits.maxMegapixels} megapixels`);
    return 'png';
  }
  if (startsWith(bytes, JPEG_MAGIC)) return 'jpeg';
  throw new NotImageError('not a PNG or JPEG image');
}

/** Decodes a base64 PNG or JPEG with pure-JS decoders (no native image libraries needed). */
export function decodeRgba(base64: unknown, limits: ImageLimits): RgbaImage {
  const bytes = bytesOf(base64, limits);
  if (sniffBytes(bytes, limits) === 'png') {
    let png: PNG;
    try {
      png = PNG.sync.read(bytes);
    } catch {
      throw new NotImageError('the PNG could not be decoded');
    }
    return {
      width: png.width,
      height: png.height,
      data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
    };
  }
  try {
    const img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: limits.maxMegapixels,
      maxMemoryUsageInMB: Math.ceil(limits.maxMegapixels * 4 * 2 + 64),
    });
    return { width: img.width, height: img.height, data: img.data };
  } catch {
    throw new NotImageError('the JPEG could not be decoded');
  }
}

/**
 * One model instance from decoded pixels, written into `target` from `at` on, as nsfwjs prepares
 * it: RGB scaled to [0, 1], then a bilinear resize with aligned corners to size x size (the
 * arithmetic of TF.js's ResizeBilinear kernel, alignCorners: true, halfPixelCenters: false).
 * Plain loops instead of TF.js ops so that it runs in a worker thread without a TF.js backend.
 */
export function writeInstance(image: RgbaImage, size: number, target: Float32Array, at: number): void {
  const { width, height, data } = image;
  if (width === size && height === size) {
    for (let p = 0; p < size * size; p++) {
      target[at++] = data[p * 4] / 255;
      target[at++] = data[p * 4 + 1] / 255;
      target[at++] = data[p * 4 + 2] / 255;
    }
    return;
  }
  // Scale in float32 first, as tf.div(cast(rgb), 255) does, then interpolate those values.
  const scaled = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    scaled[p * 3] = data[p * 4] / 255;
    scaled[p * 3 + 1] = data[p * 4 + 1] / 255;
    scaled[p * 3 + 2] = data[p * 4 + 2] / 255;
  }
  const rowScale = size > 1 ? (height - 1) / (size - 1) : height / size;
  const colScale = size > 1 ? (width - 1) / (size - 1) : width / size;
  for (let r = 0; r < size; r++) {
    const srcRow = rowScale * r;
    const top = Math.floor(srcRow);
    const bottom = Math.min(height - 1, Math.ceil(srcRow));
    const rowFrac = srcRow - top;
    for (let c = 0; c < size; c++) {
      const srcCol = colScale * c;
      const left = Math.floor(srcCol);
      const right = Math.min(width - 1, Math.ceil(srcCol));
      const colFrac = srcCol - left;
      const tl = (top * width + left) * 3;
      const tr = (top * width + right) * 3;
      const bl = (bottom * width + left) * 3;
      const br = (bottom * width + right) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const upper = scaled[tl + ch] + (scaled[tr + ch] - scaled[tl + ch]) * colFrac;
        const lower = scaled[bl + ch] + (scaled[br + ch] - scaled[bl + ch]) * colFrac;
        target[at++] = upper + (lower - upper) * rowFrac;
      }
    }
  }
}

/** Decodes and prepares a request's images: one Float32Array of [n, size, size, 3]. */
export function decodeInstances(images: unknown[], size: number, limits: ImageLimits): Float32Array {
  const out = new Float32Array(images.length * size * size * 3);
  images.forEach((image, i) => writeInstance(decodeRgba(image, limits), size, out, i * size * size * 3));
  return out;
}
