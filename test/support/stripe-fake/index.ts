export * from './stripe-fake';
export * from './fault-plan';
export * from './signed-webhook';
export type { AcceptedMeterEvent, StripeObject } from './stripe-fake-store';
export { duplicateIdentifier } from './routes/billing.routes';
