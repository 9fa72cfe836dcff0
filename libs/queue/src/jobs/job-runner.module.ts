import { Module } from '@nestjs/common';
import { QuotaService } from '@app/quotas';
import { MeteringService } from '@app/metering';
import { ModelsModule } from '@app/models';
import { QueueModule } from '../queue.module';
import { AuditPurgeScheduler } from '../duties/audit-purge.scheduler';
import { BackgroundDuties } from '../duties/background-duties.service';
import { WebhookSender } from '../webhooks/webhook-sender.service';
import { JOB_METERING, JOB_QUOTA } from './job-billing.ports';
import { JobConsumer } from './job-consumer.service';
import { JobRunner } from './job-runner.service';

/**
 * What a job-consuming process needs: the queue, the runner, the sweeper, webhooks, and the
 * background duties (meter-event flusher, audit purge) that run where jobs are consumed.
 * QuotaService and MeteringService come from the global QuotasModule and MeteringModule that
 * the application imports.
 */
@Module({
  imports: [QueueModule, ModelsModule],
  providers: [
    JobRunner,
    JobConsumer,
    WebhookSender,
    AuditPurgeScheduler,
    BackgroundDuties,
    { provide: JOB_QUOTA, useExisting: QuotaService },
    { provide: JOB_METERING, useExisting: MeteringService },
  ],
  exports: [JobRunner, JobConsumer, WebhookSender, BackgroundDuties, AuditPurgeScheduler, JOB_QUOTA, JOB_METERING, QueueModule, ModelsModule],
})
export class JobRunnerModule {}
