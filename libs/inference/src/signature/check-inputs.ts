import { tabularInputs } from '../tabular/tabular-inputs';
import { InferenceInputs, ModelSpec, ValidatedInputs, ValidationLimits } from './model-signature';
import { validateInputs } from './signature-validator';

/**
 * Checks a request's inputs against a model version, whatever kind it is: a version trained on
 * the platform takes raw columns (encoded by its learned preprocessing), any other its declared
 * tensors. What the runtime runs, and what callers use to count instances before a quota hold.
 */
export function checkInputs(spec: ModelSpec, inputs: InferenceInputs, limits: ValidationLimits): ValidatedInputs {
  return spec.tabular ? tabularInputs(spec, spec.tabular, inputs, limits) : validateInputs(spec.inputs, inputs, limits);
}
