/** Units billed: per instance (and per image) for such pricing, else per request. */
export function unitsFor(pricingUnit: string, unitsPer: number, instances: number): number {
  return pricingUnit === 'request' ? unitsPer : unitsPer * instances;
}
