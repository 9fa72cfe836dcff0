/**
 * @app/queue: the job queue and async inference jobs.
 * - `QueueModule`: JOB_QUEUE (in-process | BullMQ | SQS by QUEUE_DRIVER), QUEUE_CONFIG; `queue` in /readyz.
 * - `JobsModule`: GraphQL submitInferenceJob / inferenceJob / inferenceJobs / cancelInferenceJob,
 *   and (JOBS_CONSUME) the consumer. `JobRunnerModule`: the consumer alone (apps/worker).
 * - `verifyWebhookSignature`: for receivers of the job webhook.
 */
export * from './queue-config';
export * from './job-queue.port';
export * from './job-queue.factory';
export * from './queue.module';
export { JobKinds } from './job-kinds';
export type { JobKindHandler } from './job-kinds';
export { InProcessQueue } from './adapters/in-process.queue';
export { BullMqQueue, BULLMQ_PREFIX } from './adapters/bullmq.queue';
export { SqsQueue } from './adapters/sqs.queue';
export { JobsModule } from './jobs/jobs.module';
export { JobRunnerModule } from './jobs/job-runner.module';
export { JobRunner } from './jobs/job-runner.service';
export { JobConsumer } from './jobs/job-consumer.service';
export { BackgroundDuties } from './duties/background-duties.service';
export { AuditPurgeScheduler, AUDIT_PURGE_ACTOR } from './duties/audit-purge.scheduler';
export { JobService } from './jobs/job.service';
export { JobError, JobErrorReason } from './jobs/job.error';
export * from './jobs/dto/inference-job.type';
export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from './webhooks/webhook-signature';
export { checkWebhookUrl, isPrivateAddress } from './webhooks/webhook-address-policy';
