import { Global, Module } from '@nestjs/common';
import { BudgetAlertService } from './budget-alert.service';
import { ConcurrencyGate } from './concurrency-gate';
import { PlanLimitsService } from './plan-limits.service';
import { QuotaLimiters } from './quota-limiters';
import { QuotaService } from './quota.service';

@Global()
@Module({
  providers: [QuotaService, BudgetAlertService, PlanLimitsService, QuotaLimiters, ConcurrencyGate],
  exports: [QuotaService, PlanLimitsService, QuotaLimiters, ConcurrencyGate],
})
export class QuotasModule {}
