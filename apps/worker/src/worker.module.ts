import { Module } from '@nestjs/common';
import { ConfigModule, LoggingModule, MetricsModule, ReadinessModule, RedisModule } from '@app/common';
import { DbModule } from '@app/db';
import { AuditModule } from '@app/audit';
import { QuotasModule } from '@app/quotas';
import { MeteringModule } from '@app/metering';
import { BillingModule } from '@app/billing';
import { DutiesModule } from '@app/duties';
import { JobRunnerModule } from '@app/jobs';
import { TrainingWorkerModule } from '@app/training';

/**
 * The worker: database, quotas, metering, audit, billing (for the meter-event flusher) and the
 * job runner with its background duties; no GraphQL or HTTP routes of the api.
 */
@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    MetricsModule,
    ReadinessModule,
    RedisModule,
    DbModule,
    AuditModule,
    QuotasModule,
    MeteringModule,
    BillingModule,
    JobRunnerModule,
    DutiesModule,
    TrainingWorkerModule,
  ],
})
export class WorkerModule {}
