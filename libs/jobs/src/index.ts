/**
 * @app/jobs: async inference jobs, the domain over the queue transport (@app/queue).
 * - `JobsModule`: GraphQL submitInferenceJob / inferenceJob / inferenceJobs / cancelInferenceJob,
 *   and (JOBS_CONSUME) the consumer. `JobRunnerModule`: the consumer alone (apps/worker).
 * - `verifyWebhookSignature`: for receivers of the job webhook.
 */
export { JobsModule } from './jobs.module';
export { JobRunnerModule } from './job-runner.module';
export { JobRunner } from './job-runner.service';
export { JobConsumer } from './job-consumer.service';
export { JobService } from './job.service';
export { JobError, JobErrorReason } from './job.error';
export * from './dto/inference-job.type';
export {
  SIGNATURE_HEADER,
  signWebhook,
  standardWebhookHeaders,
  verifyWebhookSignature,
} from './webhooks/webhook-signature';
export { checkWebhookUrl, isPrivateAddress } from './webhooks/webhook-address-policy';
