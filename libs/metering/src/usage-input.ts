/** One inference's usage, as the inference code reports it with its result. */
export interface UsageInput {
  tenantId: string;
  apiKeyId: string | null;
  userId: string | null;
  modelId: string;
  modelVersionId: string;
  jobId?: string | null;
  requestId: string | null;
  /** The request id or job id: the same effect is recorded once, however often it is retried. */
  idempotencyKey: string;
  units: number;
  instances: number;
  /** This request's share of its batch's compute time (batch time x instances / batch instances). */
  computeMs: number;
  batchSize: number;
  /** What the units pay for: inference (default), training (compute seconds) or evaluation. */
  kind?: 'inference' | 'training' | 'evaluation';
  occurredAt?: Date;
}
