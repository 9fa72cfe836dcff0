import { Global, Module } from '@nestjs/common';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { Ledger } from './ledger.service';

/** The ledger: group-committed inference effects and Idempotency-Key answers. Needs the global Audit, Metering and Quotas modules. */
@Global()
@Module({
  providers: [Ledger, IdempotencyStore],
  exports: [Ledger, IdempotencyStore],
})
export class LedgerModule {}
