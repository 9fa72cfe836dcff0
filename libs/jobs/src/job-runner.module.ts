import { Module } from '@nestjs/common';
import { QuotaService } from '@app/quotas';
import { MeteringService } from '@app/metering';
import { ModelsModule } from '@app/models';
import { QueueModule } from '@app/queue';
import { WebhookSender } from './webhooks/webhook-sender.service';
import { JOB_METERING, JOB_QUOTA } from './job-billing.ports';
import { JobConsumer } from './job-consumer.service';
import { JobRunner } from './job-runner.service';

/**
 * What a job-consuming process needs: the queue, the runner, the sweeper and webhooks (the
 * background duties that run beside them are @app/duties).
 * QuotaService and MeteringService come from the global QuotasModule and MeteringModule that
 * the application imports.
 */
@Module({
  imports: [QueueModule, ModelsModule],
  providers: [
    JobRunner,
    JobConsumer,
    WebhookSender,
    { provide: JOB_QUOTA, useExisting: QuotaService },
    { provide: JOB_METERING, useExisting: MeteringService },
  ],
  exports: [JobRunner, JobConsumer, WebhookSender, JOB_QUOTA, JOB_METERING, QueueModule, ModelsModule],
})
export class JobRunnerModule {}
