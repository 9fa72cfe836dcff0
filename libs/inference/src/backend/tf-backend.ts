import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { startupProfile } from '@app/common';
import { InferenceError, InferenceErrorCode } from '../inference.error';

export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCE: readonly BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

/** Tries to make one backend TF.js's active backend; throws when it cannot be loaded. */
async function activate(name: BackendName): Promise<void> {
  switch (name) {
    case 'tfjs-node-gpu':
    case 'tfjs-node':
      // Optional dependencies: absent where libtensorflow could not be downloaded at install.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(`@tensorflow/${name}`);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
      return;
    case 'wasm': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries are read from the package's dist folder: no network needed.
      const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(dist + path.sep);
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      return;
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      return;
  }
}

let selected: Promise<BackendName> | undefined;

/**
 * Picks the best TF.js backend that loads, or exactly `forced` (TFJS_BACKEND) and fails loudly
 * when that one cannot load. The backend is process-wide, so the first choice sticks.
 */
export function selectBackend(forced: string | undefined = process.env.TFJS_BACKEND): Promise<BackendName> {
  selected ??= startupProfile
    .time('TF.js backend', () => choose(forced))
    .catch((e: unknown) => {
      selected = undefined;
      throw e;
    });
  return selected;
}

async function choose(forced: string | undefined): Promise<BackendName> {
  if (forced) {
    if (!BACKEND_PREFERENCE.includes(forced as BackendName)) {
      throw new InferenceError(
        InferenceErrorCode.BACKEND_UNAVAILABLE,
        `TFJS_BACKEND=${forced} is not one of ${BACKEND_PREFERENCE.join(', ')}`,
      );
    }
    try {
      await activate(forced as BackendName);
      return forced as BackendName;
    } catch (e) {
      throw new InferenceError(
        InferenceErrorCode.BACKEND_UNAVAILABLE,
        `TFJS_BACKEND=${forced} cannot be loaded: ${(e as Error).message}`,
        undefined,
        e,
      );
    }
  }
  for (const name of BACKEND_PREFERENCE) {
    try {
      await activate(name);
      return name;
    } catch {
      // Fall through to the next best backend.
    }
  }
  throw new InferenceError(InferenceErrorCode.BACKEND_UNAVAILABLE, 'no TF.js backend could be loaded');
}

/** For tests: forget the choice so another TFJS_BACKEND value can be tried. */
export function resetBackendSelection(): void {
  selected = undefined;
}
