import * as tf from '@tensorflow/tfjs';
import { ArtifactFile } from '@app/models';

export const WEIGHTS_FILE = 'weights.bin';

/** A TF.js layers model as its artifact files (model.json + one weights shard), in memory. */
export async function modelFiles(model: tf.LayersModel): Promise<ArtifactFile[]> {
  let files: ArtifactFile[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData
        ? Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
        : Buffer.alloc(0);
      files = artifactFiles(artifacts.modelTopology as object, artifacts.weightSpecs ?? [], weights);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

/** model.json naming one shard, as tfjs-converter writes it, plus the shard. */
export function artifactFiles(topology: object, weights: tf.io.WeightsManifestEntry[], bytes: Buffer): ArtifactFile[] {
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
  };
  return [
    { path: 'model.json', bytes: Buffer.from(JSON.stringify(modelJson)) },
    { path: WEIGHTS_FILE, bytes },
  ];
}
