import { InferenceError, InferenceErrorCode } from '../inference.error';
import { decodeRgba, ImageLimits, NotImageError, RgbaImage, sniffImage } from './image-codec';

export type { ImageLimits, RgbaImage } from './image-codec';

/** The codec's refusal as the runtime's error (NOT_IMAGE, a client mistake); anything else as is. */
export function asImageError(e: unknown): unknown {
  return e instanceof NotImageError ? new InferenceError(InferenceErrorCode.NOT_IMAGE, e.message) : e;
}

/** Decodes a base64 PNG or JPEG on this thread; NOT_IMAGE when it is not one we take. */
export function decodeImage(base64: unknown, limits: ImageLimits): RgbaImage {
  try {
    return decodeRgba(base64, limits);
  } catch (e) {
    throw asImageError(e);
  }
}

/** The checks that need no decoding; NOT_IMAGE when they fail. */
export function checkImage(base64: unknown, limits: ImageLimits): void {
  try {
    sniffImage(base64, limits);
  } catch (e) {
    throw asImageError(e);
  }
}
