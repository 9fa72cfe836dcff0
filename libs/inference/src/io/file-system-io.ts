import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ArtifactDigest, checkDigest } from './artifact-integrity';

const MODEL_JSON = 'model.json';
const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * Loads TF.js artifacts (model.json + weight shards) from a local folder. `@tensorflow/tfjs`
 * only has http/browser loaders; tfjs-node's file:// handler is not always installed.
 */
export class FileSystemLoader implements tf.io.IOHandler {
  private readonly expected?: Map<string, string>;

  /** files: the version's recorded digests; every byte read is checked against them (no TOCTOU gap). */
  constructor(
    private readonly dir: string,
    files?: Pick<ArtifactDigest, 'path' | 'sha256'>[],
  ) {
    if (files) this.expected = new Map(files.map((f) => [f.path, f.sha256]));
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    const modelJson = JSON.parse((await this.read(MODEL_JSON)).toString('utf8')) as tf.io.ModelJSON;
    return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of manifest) {
        specs.push(...group.weights);
        for (const shard of group.paths) buffers.push(await this.read(shard));
      }
      const joined = Buffer.concat(buffers);
      // Copy out of Node's pooled buffer: TF.js reads the whole ArrayBuffer.
      const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
      return [specs, weightData];
    });
  }

  private async read(file: string): Promise<Buffer> {
    const bytes = await readFile(file === MODEL_JSON ? path.join(this.dir, MODEL_JSON) : this.resolveShard(file));
    if (this.expected) checkDigest(this.expected, path.posix.normalize(file), bytes);
    return bytes;
  }

  // Shard paths come from a file we may not have written (tenant uploads): stay in the folder.
  private resolveShard(shard: string): string {
    const full = path.resolve(this.dir, shard);
    if (!full.startsWith(path.resolve(this.dir) + path.sep))
      throw new Error(`weight shard outside the model folder: ${shard}`);
    return full;
  }
}

/** Saves TF.js artifacts to a local folder as model.json + 4 MB shards (the catalog builder). */
export class FileSystemSaver implements tf.io.IOHandler {
  constructor(private readonly dir: string) {}

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    await mkdir(this.dir, { recursive: true });
    const weights = artifacts.weightData
      ? Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
      : Buffer.alloc(0);
    const shardCount = Math.max(1, Math.ceil(weights.byteLength / SHARD_BYTES));
    const paths: string[] = [];
    for (let i = 0; i < shardCount; i++) {
      const name = `group1-shard${i + 1}of${shardCount}.bin`;
      await writeFile(path.join(this.dir, name), weights.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES));
      paths.push(name);
    }
    const modelJson: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
      ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
    };
    await writeFile(path.join(this.dir, MODEL_JSON), JSON.stringify(modelJson));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }
}
