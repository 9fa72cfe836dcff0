import { z } from 'zod';

export const ledgerConfigSchema = z.object({
  /** Most predictions committed in one batch. */
  LEDGER_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Batches committing at once (each one transaction on its own connection). */
  LEDGER_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(2),
});

export type LedgerConfig = z.infer<typeof ledgerConfigSchema>;

export const loadLedgerConfig = (env: NodeJS.ProcessEnv = process.env): LedgerConfig => ledgerConfigSchema.parse(env);
