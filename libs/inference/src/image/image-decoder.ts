import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { InferenceError, InferenceErrorCode } from '../inference.error';

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

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}$/;

const notImage = (message: string, cause?: unknown): InferenceError =>
  new InferenceError(InferenceErrorCode.NOT_IMAGE, message, undefined, cause);

const startsWith = (bytes: Buffer, magic: number[]): boolean => magic.every((b, i) => bytes[i] === b);

/** Accepts raw base64 or a data: URL (what browsers hand out). */
function bytesOf(base64: unknown, limits: ImageLimits): Buffer {
  if (typeof base64 !== 'string') throw notImage('an image must be a base64 string');
  const body = base64.startsWith('data:') ? base64.slice(base64.indexOf(',') + 1) : base64;
  if (body.length > Math.ceil(limits.maxBytes / 3) * 4 + 4)
    throw notImage(`the image is larger than ${limits.maxBytes} bytes`);
  if (!BASE64.test(body)) throw notImage('the image is not valid base64');
  return Buffer.from(body, 'base64');
}

/** Decodes a base64 PNG or JPEG with pure-JS decoders (no native image libraries needed). */
export function decodeImage(base64: unknown, limits: ImageLimits): RgbaImage {
  const bytes = bytesOf(base64, limits);
  if (startsWith(bytes, PNG_MAGIC)) {
    // Read the size from the IHDR chunk before inflating anything.
    if (bytes.length < 24) throw notImage('truncated PNG');
    const width = bytes.readUInt32BE(16);
    const height = bytes.readUInt32BE(20);
    if (width * height > limits.maxMegapixels * 1e6)
      throw notImage(`the image is larger than ${limits.maxMegapixels} megapixels`);
    try {
      const png = PNG.sync.read(bytes);
      return {
        width: png.width,
        height: png.height,
        data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
      };
    } catch (e) {
      throw notImage('the PNG could not be decoded', e);
    }
  }
  if (startsWith(bytes, JPEG_MAGIC)) {
    try {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: limits.maxMegapixels,
        maxMemoryUsageInMB: Math.ceil(limits.maxMegapixels * 4 * 2 + 64),
      });
      return { width: img.width, height: img.height, data: img.data };
    } catch (e) {
      throw notImage('the JPEG could not be decoded', e);
    }
  }
  throw notImage('not a PNG or JPEG image');
}
