import { TestApp, gql } from './test-app';

export const DATASET_FIELDS = 'id name format rows sizeBytes createdAt sha256 columns { name type missing }';
export const JOB_FIELDS = `id status model dataset task computeMs progress { epoch epochs loss valLoss valMetric }
  history { epoch loss valLoss valMetric } error { code reason message }
  modelVersion { version status labels featureColumns metrics inputs { name datatype shape } outputs { name datatype shape labels } }`;
const CREATE = `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { ${DATASET_FIELDS} } }`;
const START = `mutation($i: StartTrainingInput!) { startTraining(input: $i) { ${JOB_FIELDS} } }`;
const GET = `query($id: ID!) { trainingJob(id: $id) { ${JOB_FIELDS} } }`;

export type Auth = { key: string };

/** createDataset; throws with the GraphQL errors when it fails. */
export async function createDataset(t: TestApp, auth: Auth, name: string, format: 'CSV' | 'JSONL', content: string) {
  const res = await gql(t.http, CREATE, { i: { name, format, content } }, auth);
  if (res.body.errors) throw new Error(`createDataset: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.createDataset as {
    id: string;
    rows: number;
    columns: { name: string; type: string; missing: number }[];
  };
}

export function startTraining(t: TestApp, auth: Auth, input: Record<string, unknown>) {
  return gql(t.http, START, { i: input }, auth);
}

export const FINISHED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Polls trainingJob(id) until `done` holds (default: a final status). */

type Job = any;

export async function waitForJob(
  t: TestApp,
  auth: Auth,
  id: string,
  done: (j: Job) => boolean = (j) => FINISHED.includes(j.status),
  timeoutMs = 240_000,
): Promise<Job> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const res = await gql(t.http, GET, { id }, auth);
    if (res.body.errors) throw new Error(`trainingJob: ${JSON.stringify(res.body.errors)}`);
    const job = res.body.data.trainingJob;
    if (done(job)) return job;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`training job ${id} did not get there in ${timeoutMs} ms`);
}

/** Starts a training and waits for it to finish; throws unless it SUCCEEDED. */
export async function train(t: TestApp, auth: Auth, input: Record<string, unknown>) {
  const res = await startTraining(t, auth, input);
  if (res.body.errors) throw new Error(`startTraining: ${JSON.stringify(res.body.errors)}`);
  const job = await waitForJob(t, auth, res.body.data.startTraining.id);
  if (job.status !== 'SUCCEEDED') throw new Error(`training ${job.status}: ${JSON.stringify(job.error)}`);
  return job;
}
