import { Module } from '@nestjs/common';
import { ConfigModule, LoggingModule, MetricsModule, ReadinessModule, RedisModule } from '@app/common';
import { DbModule } from '@app/db';
import { AuditModule } from '@app/audit';
import { QuotasModule } from '@app/quotas';
import { MeteringModule } from '@app/metering';
import { JobRunnerModule } from '@app/queue';

/** The worker: database, quotas, metering, audit and the job runner; no GraphQL. */
@Module({
  imports: [ConfigModule, LoggingModule, MetricsModule, ReadinessModule, RedisModule, DbModule, AuditModule, QuotasModule, MeteringModule, JobRunnerModule],
})
export class WorkerModule {}
