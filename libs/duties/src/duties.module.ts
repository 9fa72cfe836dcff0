import { Module } from '@nestjs/common';
import { AuditPurgeScheduler } from './audit-purge.scheduler';
import { AuditExportScheduler } from './audit-export.scheduler';
import { BackgroundDuties } from './background-duties.service';

/**
 * The periodic work of a job-consuming process (the meter-event flusher, the audit export schedule, the audit purge):
 * imported by the worker, and by the api, where it runs only when the api consumes jobs itself
 * (embedded mode). Needs the global Audit and Queue modules; the flusher comes from BillingModule.
 */
@Module({
  providers: [AuditPurgeScheduler, AuditExportScheduler, BackgroundDuties],
  exports: [AuditPurgeScheduler, AuditExportScheduler, BackgroundDuties],
})
export class DutiesModule {}
