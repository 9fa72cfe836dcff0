import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';
import { CatalogEntry } from './catalog-entry';
import { buildAtomically } from './catalog-folder';

export const NSFW_MODEL_NAME = 'nsfw-mobilenet-v2';
const NSFW_MODEL_FOLDER = 'mobilenet_v2';

interface NsfwModelJson {
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
}

/** nsfwjs's dist folder; its package.json `exports` hide the model files from require. */
function nsfwDist(): string {
  return path.resolve(path.dirname(require.resolve('nsfwjs')), '..');
}

/**
 * nsfwjs ships its TF.js artifacts as browserify bundles (`model.min.js` exports the model.json
 * object, each `*.min.js` shard a base64 string). Evaluated in an empty context, not required:
 * nothing stays in the module cache and nothing else runs.
 */
function evaluateBundle<T>(file: string): T {
  const sandbox = { module: { exports: {} as unknown }, exports: {} };
  sandbox.exports = sandbox.module.exports as object;
  vm.runInNewContext(readFileSync(file, 'utf8'), sandbox, { filename: file });
  return sandbox.module.exports as T;
}

/** Class names in the order of the model's output (nsfwjs's NSFW_CLASSES). */
export function nsfwLabels(): string[] {
  const { NSFW_CLASSES } = evaluateBundle<{ NSFW_CLASSES?: Record<number, string> }>(
    path.join(nsfwDist(), 'cjs', 'nsfw_classes.js'),
  );
  const classes = NSFW_CLASSES ?? {};
  return Object.keys(classes)
    .map(Number)
    .sort((a, b) => a - b)
    .map((k) => classes[k]);
}

/** Unpacks nsfwjs's MobileNetV2 into model.json + binary shards; returns its catalog metadata. */
export async function unpackNsfwMobileNet(targetDir: string): Promise<Omit<CatalogEntry, 'artifactDir'>> {
  const source = path.join(nsfwDist(), 'models', NSFW_MODEL_FOLDER);
  const modelJson = evaluateBundle<NsfwModelJson>(path.join(source, 'model.min.js'));
  for (const group of modelJson.weightsManifest) {
    for (const shard of group.paths) {
      const base64 = evaluateBundle<string>(path.join(source, `${shard}.min.js`));
      await writeFile(path.join(targetDir, path.basename(shard)), Buffer.from(base64, 'base64'));
    }
  }
  await writeFile(path.join(targetDir, 'model.json'), JSON.stringify({ format: 'layers-model', ...modelJson }));
  const labels = nsfwLabels();
  const version = (JSON.parse(readFileSync(path.join(nsfwDist(), '..', 'package.json'), 'utf8')) as { version: string })
    .version;
  return {
    name: NSFW_MODEL_NAME,
    description: `Image content classifier (MobileNetV2, 224x224) from nsfwjs: ${labels.join(', ')}. Takes a PNG or JPEG image, base64.`,
    task: 'image-classification',
    version: {
      format: 'layers',
      inputs: [{ name: 'image', datatype: 'BYTES', shape: [-1] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, labels.length] }],
      labels,
      preprocess: 'image',
      pricingUnit: 'instance',
      source: `nsfwjs@${version} dist/models/${NSFW_MODEL_FOLDER}`,
    },
  };
}

/** Builds `nsfw-mobilenet-v2` under catalogDir unless it is already there. */
export function buildNsfwMobileNet(catalogDir: string): Promise<CatalogEntry> {
  return buildAtomically(path.join(catalogDir, NSFW_MODEL_NAME), unpackNsfwMobileNet);
}
