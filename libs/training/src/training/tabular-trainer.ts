import * as tf from '@tensorflow/tfjs';

export type Task = 'CLASSIFICATION' | 'REGRESSION';

export interface FitParams {
  epochs: number;
  batchSize: number;
  learningRate: number;
  hiddenUnits: number[];
  dropout: number;
  earlyStoppingPatience: number | null;
  seed: number;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss: number | null;
  valMetric: number | null;
}

/** Encoded rows, row-major: x [rows, width]; y class indices (classification) or targets. */
export interface TrainingTensors {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  width: number;
}

export interface FitRequest {
  task: Task;
  classes: number;
  /** Regression: the target's mean and std, folded into a frozen output layer. */
  targetScale?: { mean: number; std: number };
  params: FitParams;
  train: TrainingTensors;
  validation: TrainingTensors | null;
  /** Called after every epoch; return true to stop (cancelled, out of time). */
  onEpoch?: (log: EpochLog) => Promise<boolean> | boolean;
}

export interface FitResult {
  model: tf.Sequential;
  history: EpochLog[];
  diverged: boolean;
  fitMs: number;
}

/** The dense network: hidden ReLU layers with dropout, softmax (k classes) or a linear value. */
export function buildNetwork(
  width: number,
  task: Task,
  classes: number,
  params: FitParams,
  targetScale?: { mean: number; std: number },
): tf.Sequential {
  const model = tf.sequential({ name: 'trained' });
  params.hiddenUnits.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        inputShape: i === 0 ? [width] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: params.seed + i }),
      }),
    );
    if (params.dropout > 0) model.add(tf.layers.dropout({ rate: params.dropout, seed: params.seed + 100 + i }));
  });
  const first = params.hiddenUnits.length === 0;
  const out = tf.initializers.glorotUniform({ seed: params.seed + 1000 });
  if (task === 'CLASSIFICATION') {
    model.add(
      tf.layers.dense({
        units: classes,
        activation: 'softmax',
        inputShape: first ? [width] : undefined,
        kernelInitializer: out,
      }),
    );
  } else {
    model.add(tf.layers.dense({ units: 1, inputShape: first ? [width] : undefined, kernelInitializer: out }));
    // Frozen: the network learns the standardised target, callers get it in its own units.
    const scale = tf.layers.dense({ units: 1, trainable: false, name: 'target_scale' });
    model.add(scale);
    const s = targetScale ?? { mean: 0, std: 1 };
    scale.setWeights([tf.tensor2d([[s.std]]), tf.tensor1d([s.mean])]);
  }
  return model;
}

function tensorsOf(t: TrainingTensors, task: Task, classes: number): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => [
    tf.tensor2d(t.x, [t.rows, t.width]),
    task === 'CLASSIFICATION'
      ? (tf.oneHot(tf.tensor1d(Array.from(t.y), 'int32'), classes) as tf.Tensor2D)
      : tf.tensor2d(t.y, [t.rows, 1]),
  ]);
}

/**
 * Fits the network with Adam. Rows arrive shuffled with the job's seed and TF.js's own shuffle
 * (Math.random) is off, so a seed gives the same model. Early stopping watches val_loss.
 */
export async function fitTabular(req: FitRequest): Promise<FitResult> {
  const { task, classes, params } = req;
  const model = buildNetwork(req.train.width, task, classes, params, req.targetScale);
  model.compile({
    optimizer: tf.train.adam(params.learningRate),
    loss: task === 'CLASSIFICATION' ? 'categoricalCrossentropy' : 'meanSquaredError',
    metrics: [task === 'CLASSIFICATION' ? 'accuracy' : 'mae'],
  });
  const [xs, ys] = tensorsOf(req.train, task, classes);
  const val = req.validation && req.validation.rows > 0 ? tensorsOf(req.validation, task, classes) : null;
  const history: EpochLog[] = [];
  let diverged = false;
  let best = Infinity;
  let sinceBest = 0;
  const started = performance.now();
  try {
    await model.fit(xs, ys, {
      epochs: params.epochs,
      batchSize: params.batchSize,
      shuffle: false,
      verbose: 0,
      validationData: val ?? undefined,
      callbacks: {
        onEpochEnd: async (epoch, logs = {}) => {
          const metricKey = Object.keys(logs).find((k) => k.startsWith('val_') && k !== 'val_loss');
          const log: EpochLog = {
            epoch: epoch + 1,
            loss: logs.loss,
            valLoss: logs.val_loss ?? null,
            valMetric: metricKey ? logs[metricKey] : null,
          };
          history.push(log);
          if (!Number.isFinite(log.loss) || (log.valLoss !== null && !Number.isFinite(log.valLoss))) {
            diverged = true;
            model.stopTraining = true;
            return;
          }
          const watched = log.valLoss ?? log.loss;
          if (watched < best - 1e-6) {
            best = watched;
            sinceBest = 0;
          } else if (params.earlyStoppingPatience !== null && ++sinceBest >= params.earlyStoppingPatience) {
            model.stopTraining = true;
          }
          if (req.onEpoch && (await req.onEpoch(log))) model.stopTraining = true;
        },
      },
    });
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    tf.dispose([xs, ys, ...(val ?? [])]);
  }
  return { model, history, diverged, fitMs: performance.now() - started };
}
