import { AppError, ErrorCode } from '@app/common';

export enum BillingErrorReason {
  BILLING_DISABLED = 'BILLING_DISABLED',
  UNKNOWN_PLAN = 'UNKNOWN_PLAN',
  PLAN_NOT_PURCHASABLE = 'PLAN_NOT_PURCHASABLE',
  NO_BILLING_ACCOUNT = 'NO_BILLING_ACCOUNT',
  STRIPE_UNAVAILABLE = 'STRIPE_UNAVAILABLE',
}

export class BillingError extends AppError {
  static disabled(): BillingError {
    return new BillingError(
      ErrorCode.BAD_USER_INPUT,
      'billing is not configured on this installation (no Stripe key): usage is metered locally',
      { reason: BillingErrorReason.BILLING_DISABLED },
    );
  }

  static unknownPlan(plan: string): BillingError {
    return new BillingError(ErrorCode.BAD_USER_INPUT, `unknown plan: ${plan}`, {
      reason: BillingErrorReason.UNKNOWN_PLAN,
      details: { plan },
    });
  }

  static notPurchasable(plan: string): BillingError {
    return new BillingError(ErrorCode.BAD_USER_INPUT, `plan ${plan} cannot be bought through checkout`, {
      reason: BillingErrorReason.PLAN_NOT_PURCHASABLE,
      details: { plan },
    });
  }

  static noAccount(): BillingError {
    return new BillingError(
      ErrorCode.BAD_USER_INPUT,
      'this tenant has no billing account yet: start a checkout first',
      { reason: BillingErrorReason.NO_BILLING_ACCOUNT },
    );
  }

  static unavailable(cause: unknown): BillingError {
    return new BillingError(ErrorCode.INTERNAL, 'the payment provider is unavailable, try again shortly', {
      reason: BillingErrorReason.STRIPE_UNAVAILABLE,
      cause,
    });
  }
}
