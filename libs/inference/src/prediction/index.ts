/** `@app/inference/prediction`: PredictionService (one prediction with quota, usage and audit). */
export { PredictionModule } from './prediction.module';
export { PredictionService } from './prediction.service';
export type { PredictionContext, PredictionInput, PredictionResult, PredictionTiming } from './prediction.types';
