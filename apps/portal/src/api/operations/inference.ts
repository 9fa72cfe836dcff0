import { Connection, operation } from '../operation';

export interface Prediction {
  outputs: unknown;
  /** Classifiers: per instance, [{ label, score }] best first. */
  labels: { label: string; score: number }[][] | null;
  model: string;
  version: number;
  usage: { units: number };
  timing: { queueMs: number; batchSize: number; computeMs: number; totalMs: number };
}

export const PredictMutation = operation<
  { predict: Prediction },
  { input: { model: string; version?: string | null; inputs: unknown } }
>(
  `mutation Predict($input: PredictInput!) { predict(input: $input) { outputs labels model version usage { units } timing { queueMs batchSize computeMs totalMs } } }`,
);

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface InferenceJob {
  id: string;
  model: string;
  createdAt: string;
  status: JobStatus;
  progress: { done: number; total: number };
  outputs: unknown;
  error: unknown;
}

const JOB_FIELDS = `id model createdAt status progress { done total } outputs error`;

export const SubmitInferenceJobMutation = operation<
  { submitInferenceJob: InferenceJob },
  { input: { model: string; version?: string | null; instances: unknown[] } }
>(
  `mutation SubmitInferenceJob($input: SubmitInferenceJobInput!) { submitInferenceJob(input: $input) { ${JOB_FIELDS} } }`,
);

export const InferenceJobQuery = operation<{ inferenceJob: InferenceJob }, { id: string }>(
  `query InferenceJob($id: ID!) { inferenceJob(id: $id) { ${JOB_FIELDS} } }`,
);

export const InferenceJobsQuery = operation<
  { inferenceJobs: Connection<InferenceJob> },
  { first: number; after?: string | null }
>(
  `query InferenceJobs($first: Int, $after: String) { inferenceJobs(first: $first, after: $after) { edges { cursor node { ${JOB_FIELDS} } } pageInfo { hasNextPage endCursor } totalCount } }`,
);

export const CancelInferenceJobMutation = operation<{ cancelInferenceJob: InferenceJob }, { id: string }>(
  `mutation CancelInferenceJob($id: ID!) { cancelInferenceJob(id: $id) { ${JOB_FIELDS} } }`,
);
