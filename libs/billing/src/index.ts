export * from './billing.module';
export * from './billing.config';
export * from './billing.error';
export * from './stripe/stripe-client';
export * from './outbox/meter-event-flusher';
export * from './outbox/standalone-flusher';
export * from './reconcile/reconcile-usage';
