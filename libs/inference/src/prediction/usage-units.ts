import { InputValue } from '../signature/model-signature';

/** Instances a request carries, counted cheaply before validation (the quota estimate). */
export function estimateInstances(inputs: unknown, maxInstances: number): number {
  if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs)) return 1;
  const first = Object.values(inputs as Record<string, InputValue>)[0];
  let n = 1;
  if (Array.isArray(first)) n = first.length;
  else if (first && typeof first === 'object' && Array.isArray((first as { shape?: unknown }).shape)) n = Number((first as { shape: unknown[] }).shape[0]);
  return Number.isInteger(n) && n > 0 ? Math.min(n, maxInstances) : 1;
}

/** Units billed: per instance (and per image) for such pricing, else per request. */
export function unitsFor(pricingUnit: string, unitsPer: number, instances: number): number {
  return pricingUnit === 'request' ? unitsPer : unitsPer * instances;
}
