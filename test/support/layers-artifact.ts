import * as tf from '@tensorflow/tfjs';

export interface UploadFile {
  path: string;
  contentBase64: string;
}

/** A real TF.js LayersModel (dense 3 -> 2, kernel of ones, constant bias) saved as model.json + one shard. */
export async function layersArtifact(bias: number): Promise<UploadFile[]> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 2,
        inputShape: [3],
        kernelInitializer: 'ones',
        biasInitializer: tf.initializers.constant({ value: bias }),
      }),
    ],
  });
  let files: UploadFile[] = [];
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = {
        format: 'layers-model',
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
      };
      files = [
        { path: 'model.json', contentBase64: Buffer.from(JSON.stringify(json)).toString('base64') },
        { path: 'group1-shard1of1.bin', contentBase64: Buffer.from(a.weightData as ArrayBuffer).toString('base64') },
      ];
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return files;
}

export const DENSE_SIGNATURE = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
};
