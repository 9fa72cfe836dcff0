import { Module } from '@nestjs/common';
import { JobRunnerModule } from './job-runner.module';
import { JobResolver } from './job.resolver';
import { JobService } from './job.service';

/** The async job API (GraphQL) plus, when JOBS_CONSUME is on, the consumer in this process. */
@Module({
  imports: [JobRunnerModule],
  providers: [JobService, JobResolver],
  exports: [JobService],
})
export class JobsModule {}
