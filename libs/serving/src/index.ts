/**
 * @app/serving: real-time predictions (PredictionService: admission, quota lease, the model run,
 * the ledger), the GraphQL `predict` mutation and the OIP v2 / TF Serving REST protocols.
 */
export { ServingModule } from './serving.module';
export { PredictionService } from './prediction.service';
export type {
  PredictionContext,
  PredictionInput,
  PredictionOptions,
  PredictionResult,
  PredictionTiming,
} from './prediction.types';
