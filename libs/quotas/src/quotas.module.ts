import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { BudgetAlertService } from './budget/budget-alert.service';
import { BudgetService } from './budget/budget.service';
import { ConcurrencyGate } from './concurrency-gate';
import { BudgetResolver } from './budget/budget.resolver';
import { QuotaResolver } from './quota.resolver';
import { RateLimitExtensions } from './http/rate-limit-extensions';
import { RateLimitInterceptor } from './http/rate-limit.interceptor';
import { RequestRateLimiter } from './http/request-rate-limiter.service';
import { PlanLimitsService } from './plan-limits.service';
import { PlansResolver } from './plans/plan.resolver';
import { QuotaLimiters } from './quota-limiters';
import { QuotaService } from './quota.service';
import { BudgetAlertMailer } from './budget/budget-alert-mailer';
import { MailModule } from '@app/mail';
import { QuotaLeases } from './leases/quota-leases.service';
import { AdmissionService } from './admission/admission.service';

/** Quotas, budgets, rate and concurrency limits. Importing it installs the global rate-limit interceptor. */
@Global()
@Module({
  imports: [MailModule],
  providers: [
    QuotaService,
    BudgetAlertMailer,
    QuotaLeases,
    AdmissionService,
    BudgetAlertService,
    PlanLimitsService,
    QuotaLimiters,
    ConcurrencyGate,
    RequestRateLimiter,
    RateLimitExtensions,
    QuotaResolver,
    BudgetService,
    BudgetResolver,
    PlansResolver,
    { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor },
  ],
  exports: [
    QuotaService,
    QuotaLeases,
    AdmissionService,
    BudgetService,
    PlanLimitsService,
    QuotaLimiters,
    ConcurrencyGate,
    BudgetAlertService,
  ],
})
export class QuotasModule {}
