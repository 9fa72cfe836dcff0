import { Global, Module, OnModuleInit, Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig, ReadinessService } from '@app/common';
import { createJobQueue } from './job-queue.factory';
import { JOB_QUEUE, JobQueue } from './job-queue.port';
import { JobKinds } from './job-kinds';
import { QUEUE_CONFIG, QueueConfig, loadQueueConfig } from './queue-config';

/** The job queue adapter chosen by QUEUE_DRIVER, reported in /readyz as `queue`. */
@Global()
@Module({
  providers: [
    { provide: QUEUE_CONFIG, useFactory: (): QueueConfig => loadQueueConfig() },
    {
      provide: JOB_QUEUE,
      inject: [QUEUE_CONFIG, APP_CONFIG],
      useFactory: (q: QueueConfig, app: AppConfig): JobQueue => createJobQueue(q, app.REDIS_URL),
    },
    JobKinds,
  ],
  exports: [QUEUE_CONFIG, JOB_QUEUE, JobKinds],
})
export class QueueModule implements OnModuleInit {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.readiness.register('queue', () => this.queue.ping());
  }
}
