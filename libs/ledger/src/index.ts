/**
 * @app/ledger: the one writer of inference effects (usage, audit, quota settlement, idempotent
 * answers), committed in batches; see ledger.service.ts.
 */
export * from './ledger.module';
export * from './ledger.service';
export * from './ledger-entry';
export * from './ledger.config';
export * from './idempotency/idempotency.store';
