import { z } from 'zod';

/**
 * Metering settings, read from process.env (not the shared AppConfig):
 * - STRIPE_METER_EVENT_NAME: the `event_name` of the Stripe meter that usage units are
 *   reported to (default `model_units`). Must match the meter behind the plans' metered prices.
 */
export const meteringConfigSchema = z.object({ STRIPE_METER_EVENT_NAME: z.string().min(1).default('model_units') });

export type MeteringConfig = z.infer<typeof meteringConfigSchema>;

export function loadMeteringConfig(env: NodeJS.ProcessEnv = process.env): MeteringConfig {
  return meteringConfigSchema.parse(env);
}
